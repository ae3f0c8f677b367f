import SqliteDatabase from 'better-sqlite3';

/** One connection to the store's file, configured the same way on every thread that opens it. */
export function openSqliteConnection(file: string): SqliteDatabase.Database {
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  // FULL makes each commit durable on power loss, which the audit trail promises.
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  return raw;
}
