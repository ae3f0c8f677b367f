import { parentPort } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import { openSqliteConnection } from '../core/db/sqlite.js';
import { WriteLock } from '../core/db/write-lock.js';
import { COLUMNS, GENESIS_HASH, linkRows, type ChainHead, type UnlinkedRow } from './chain.js';
import type { WriterReply, WriterRequest } from './writer.js';

/**
 * The audit writer's thread: appends batches of events to the chain of each SQLite store on a
 * connection of its own, so the durable commit (an fsync) waits here instead of on the main
 * thread's event loop. One thread serves every store the process has open.
 */
interface Store {
  db: SqliteDatabase.Database;
  writeLock: WriteLock;
  append: (rows: UnlinkedRow[]) => { head: ChainHead; hashes: string[] };
}

const stores = new Map<string, Store>();

function openStore(file: string, lock: SharedArrayBuffer): Store {
  const db = openSqliteConnection(file);
  const readHead = db.prepare('select seq, hash from audit_events order by seq desc limit 1');
  const insert = db.prepare(
    `insert into audit_events (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`,
  );
  const append = db.transaction((rows: UnlinkedRow[]) => {
    const head = (readHead.get() as ChainHead | undefined) ?? { seq: 0, hash: GENESIS_HASH };
    const linked = linkRows(rows, head);
    for (const row of linked) insert.run(COLUMNS.map((column) => row[column]));
    return { head, hashes: linked.map((row) => row.hash) };
  });
  return { db, writeLock: new WriteLock(lock), append: (rows) => append.immediate(rows) };
}

function handle(request: WriterRequest): WriterReply {
  const { id, file } = request;
  if (request.kind === 'close') {
    stores.get(file)?.db.close();
    stores.delete(file);
    return { id, closed: true };
  }
  let store = stores.get(file);
  if (!store) {
    store = openStore(file, request.lock);
    stores.set(file, store);
  }
  store.writeLock.acquireAfterMain();
  try {
    return { id, ...store.append(request.rows) };
  } finally {
    store.writeLock.release();
  }
}

parentPort!.on('message', (request: WriterRequest) => {
  let reply: WriterReply;
  try {
    reply = handle(request);
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
