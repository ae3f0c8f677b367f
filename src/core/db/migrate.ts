import { sql, type Kysely } from 'kysely';
import type { Database, Engine } from './database.js';
import * as foundation from './migrations/0001_foundation.js';
import * as cpm from './migrations/0002_cpm.js';
import * as fspiop from './migrations/0003_fspiop.js';
import * as pki from './migrations/0004_pki.js';
import * as controls from './migrations/0005_controls.js';
import * as cpmImport from './migrations/0006_cpm_import.js';
import * as notificationsReviews from './migrations/0008_notifications_reviews.js';
import * as pkiOcsp from './migrations/0009_pki_ocsp.js';

interface MigrationModule {
  up(db: Kysely<unknown>, engine: Engine): Promise<void>;
}

/** Numbered, append-only migrations; the same list runs on SQLite and PostgreSQL. */
const MIGRATIONS: ReadonlyArray<[name: string, module: MigrationModule]> = [
  ['0001_foundation', foundation],
  ['0002_cpm', cpm],
  ['0003_fspiop', fspiop],
  ['0004_pki', pki],
  ['0005_controls', controls],
  ['0006_cpm_import', cpmImport],
  ['0008_notifications_reviews', notificationsReviews],
  ['0009_pki_ocsp', pkiOcsp],
];

/** Bookkeeping table; the name and columns match what earlier releases wrote. */
const LEDGER = 'kysely_migration';

export interface MigrationReport {
  applied: string[];
}

/**
 * Applies every pending migration in one transaction: all of them or none. Concurrent starts
 * queue on a lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL). No catalog
 * introspection: scanning every schema races with other tenants dropping theirs.
 */
export async function migrateToLatest(database: Database): Promise<MigrationReport> {
  if (database.schema) await sql`create schema if not exists ${sql.id(database.schema)}`.execute(database.db);
  return database.transaction(async (tx) => {
    const db = tx as unknown as Kysely<unknown>;
    if (database.engine === 'postgres')
      await sql`select pg_advisory_xact_lock(hashtext('trustloop.migrate'))`.execute(db);
    await sql`create table if not exists ${sql.table(LEDGER)} (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(
      db,
    );
    const done = new Set(
      (await sql<{ name: string }>`select name from ${sql.table(LEDGER)}`.execute(db)).rows.map((row) => row.name),
    );
    const applied: string[] = [];
    for (const [name, module] of MIGRATIONS) {
      if (done.has(name)) continue;
      await module.up(db, database.engine);
      await sql`insert into ${sql.table(LEDGER)} (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(
        db,
      );
      applied.push(name);
    }
    return { applied };
  });
}
