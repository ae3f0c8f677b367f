import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/core/config.js';

export type EngineName = 'sqlite' | 'postgres';

/** PostgreSQL for the suite: each test app lives in a fresh schema of this database. */
export const TEST_DATABASE_URL = process.env.TRUSTLOOP_TEST_DATABASE_URL;
const IN_CI = process.env.CI === 'true';

export interface TestApp extends App {
  engine: EngineName;
  /** Runs raw SQL against this app's own store (tamper tests, fault injection). */
  rawSql(statement: string): Promise<void>;
}

/**
 * Runs `suite` once per engine. PostgreSQL runs when TRUSTLOOP_TEST_DATABASE_URL is set; under
 * CI=true its absence is a failing test, never a silent skip.
 */
export function forEachEngine(name: string, suite: (engine: EngineName) => void): void {
  describe(`${name} [sqlite]`, () => suite('sqlite'));
  if (TEST_DATABASE_URL) {
    describe(`${name} [postgres]`, () => suite('postgres'));
  } else if (IN_CI) {
    it(`${name} [postgres]`, () => {
      throw new Error('CI=true but TRUSTLOOP_TEST_DATABASE_URL is not set: PostgreSQL tests cannot run');
    });
  } else {
    it(`${name} [postgres]`, { skip: 'set TRUSTLOOP_TEST_DATABASE_URL to run on PostgreSQL' }, () => undefined);
  }
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({}, { logLevel: 'silent', port: 0, publicRateLimitPerMinute: 100_000, ...overrides });
}

/** A migrated, empty Trustloop store on the given engine, removed again by `close()`. */
export async function openTestApp(engine: EngineName, overrides: Partial<Config> = {}): Promise<TestApp> {
  if (engine === 'sqlite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-test-'));
    const app = await openApp(testConfig({ dataDir, ...overrides }));
    return {
      ...app,
      engine,
      rawSql: (statement) => sqliteExec(path.join(dataDir, 'trustloop.db'), statement),
      close: async () => {
        await app.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const app = await openApp(testConfig({ databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, ...overrides }));
  return {
    ...app,
    engine,
    rawSql: (statement) => adminQuery(`set search_path to ${schema}; ${statement}`),
    close: async () => {
      await app.close();
      await adminQuery(`drop schema ${schema} cascade`);
    },
  };
}

/**
 * Plays an attacker with table-owner rights: lifts the append-only guard, then runs `statement`
 * against the audit table.
 */
export function tamperWithAudit(app: TestApp, statement: string): Promise<void> {
  const liftGuard =
    app.engine === 'sqlite'
      ? 'drop trigger if exists audit_events_no_update; drop trigger if exists audit_events_no_delete;'
      : 'alter table audit_events disable trigger audit_events_no_rewrite;';
  return app.rawSql(`${liftGuard} ${statement}`);
}

/** Makes every audit append fail, as a full disk would; returns the undo. */
export async function breakAuditWrites(app: TestApp): Promise<() => Promise<void>> {
  if (app.engine === 'sqlite') {
    await app.rawSql(
      `create trigger audit_fault before insert on audit_events begin select raise(abort, 'disk full'); end`,
    );
    return () => app.rawSql('drop trigger audit_fault');
  }
  await app.rawSql(
    `create function audit_fault() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$;
     create trigger audit_fault before insert on audit_events for each row execute function audit_fault()`,
  );
  return () => app.rawSql('drop trigger audit_fault on audit_events; drop function audit_fault()');
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function sqliteExec(file: string, statement: string): Promise<void> {
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.exec(statement);
  } finally {
    db.close();
  }
}
