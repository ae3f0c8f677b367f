import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import { openSqliteConnection } from './sqlite.js';
import { WriteLock } from './write-lock.js';

export type Engine = 'sqlite' | 'postgres';

/** A Kysely handle bound to one connection inside a transaction. */
export type Tx = Kysely<DB>;

export interface Database {
  readonly engine: Engine;
  /** How this store was opened, so a worker thread can open its own connection to it. */
  readonly options: DatabaseOptions;
  /** The PostgreSQL schema in use when not the default one. */
  readonly schema?: string | undefined;
  /**
   * SQLite only: the database file and the write lock shared with the audit writer's thread, which
   * appends through a connection of its own (see src/audit/writer.ts).
   */
  readonly sqlite?: { file: string; writeLock: WriteLock } | undefined;
  /** For reads outside a transaction. Writes go through `transaction`. */
  readonly db: Kysely<DB>;
  /**
   * Runs `work` in one write transaction and commits only if it resolves. On SQLite the
   * transaction starts IMMEDIATE so concurrent writers queue on the lock instead of failing
   * with SQLITE_BUSY when they upgrade from reading to writing.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs a compiled read and returns each row as an array in select order: both drivers skip
   * building an object per row, which is most of the cost of scanning millions of rows.
   */
  selectArrays(query: CompiledQuery): Promise<unknown[][]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to live in (TRUSTLOOP_DATABASE_SCHEMA); tests give each app its own. */
  schema?: string | undefined;
}

export const SQLITE_FILE = 'trustloop.db';

export function openDatabase(options: DatabaseOptions): Database {
  const database = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.schema)
    : openSqlite(options.dataDir);
  return { ...database, options };
}

function openSqlite(dataDir: string): Omit<Database, 'options'> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, SQLITE_FILE);
  const raw = openSqliteConnection(file);
  const writeLock = new WriteLock();
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return {
    engine: 'sqlite',
    sqlite: { file, writeLock },
    db,
    transaction: (work) =>
      db.connection().execute(async (connection) => {
        writeLock.acquireFirst();
        try {
          await sql`begin immediate`.execute(connection);
          try {
            const result = await work(connection);
            await sql`commit`.execute(connection);
            return result;
          } catch (error) {
            await sql`rollback`.execute(connection);
            throw error;
          }
        } finally {
          writeLock.release();
        }
      }),
    selectArrays: (query) => {
      const statement = raw.prepare(query.sql).raw(true);
      // Holding Kysely's single connection keeps the read out of any transaction in progress.
      return db.connection().execute(async () => statement.all(...query.parameters) as unknown[][]);
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely asks better-sqlite3 to prepare every query anew, which was a fifth of an audited
 * operation's main-thread time. Statements are reusable, so the most recent ones are kept (the SQL
 * text is the key: values are always bound parameters). Nothing here streams, so a cached
 * statement is never busy in an open iterator when it is reused.
 */
function withStatementCache(raw: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => raw.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text);
      } else {
        statement = raw.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

const INT8_OID = 20;

function openPostgres(connectionString: string, schema: string | undefined): Omit<Database, 'options'> {
  const types = {
    // bigint columns (audit sequence numbers) fit a JS number for the life of any deployment.
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8_OID
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString,
    types,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    engine: 'postgres',
    schema,
    db,
    transaction: (work) => db.transaction().execute(work),
    selectArrays: async (query) =>
      (await pool.query({ text: query.sql, values: [...query.parameters], rowMode: 'array' })).rows as unknown[][],
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
