import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as foundation from './migrations/0001_foundation.js';
import * as cpm from './migrations/0002_cpm.js';

/** Numbered, append-only migrations; the same list runs on SQLite and PostgreSQL. */
const MIGRATIONS = { '0001_foundation': foundation, '0002_cpm': cpm };

function providerFor(database: Database): MigrationProvider {
  return {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(MIGRATIONS).map(([name, module]): [string, Migration] => [
          name,
          { up: (db) => module.up(db, database.engine) },
        ]),
      ),
  };
}

export interface MigrationReport {
  applied: string[];
}

/** Applies every pending migration; throws if one fails (its transaction is rolled back). */
export async function migrateToLatest(database: Database): Promise<MigrationReport> {
  if (database.schema) await sql`create schema if not exists ${sql.id(database.schema)}`.execute(database.db);
  const migrator = new Migrator({
    db: database.db,
    provider: providerFor(database),
    // Kysely looks for its bookkeeping tables across schemas; pin them to ours.
    ...(database.engine === 'postgres' ? { migrationTableSchema: database.schema ?? 'public' } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
