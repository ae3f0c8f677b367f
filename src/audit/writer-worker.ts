import { parentPort } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import { openSqliteConnection } from '../core/db/sqlite.js';
import { WriteLock } from '../core/db/write-lock.js';
import { COLUMNS, GENESIS_HASH, hashLink, UNLINKED_COLUMNS, type ChainHead, type UnlinkedRow } from './chain.js';
import type { WriterReply, WriterRequest } from './writer.js';

/**
 * The audit writer's thread: appends batches of events to the chain of each SQLite store on a
 * connection of its own, so the durable commit (an fsync) waits here instead of on the main
 * thread's event loop. One thread serves every store the process has open.
 */
interface Store {
  db: SqliteDatabase.Database;
  writeLock: WriteLock;
  append: (rows: UnlinkedRow[]) => ChainHead;
}

/**
 * Rows per insert statement: one statement of many rows binds the same values as many statements
 * of one, but crosses into SQLite once (a quarter of the insert time, measured).
 */
const ROWS_PER_INSERT = 32;

const stores = new Map<string, Store>();

function openStore(file: string, lock: SharedArrayBuffer): Store {
  const db = openSqliteConnection(file);
  const readHead = db.prepare('select seq, hash from audit_events order by seq desc limit 1');
  const placeholders = `(${COLUMNS.map(() => '?').join(', ')})`;
  const insertOf = (count: number) =>
    db.prepare(
      `insert into audit_events (${COLUMNS.join(', ')}) values ${Array.from({ length: count }, () => placeholders).join(', ')}`,
    );
  const insertMany = insertOf(ROWS_PER_INSERT);
  const insertOne = insertOf(1);
  const append = db.transaction((rows: UnlinkedRow[]): ChainHead => {
    const head = (readHead.get() as ChainHead | undefined) ?? { seq: 0, hash: GENESIS_HASH };
    let { seq, hash: prevHash } = head;
    const values: unknown[] = [];
    for (const row of rows) {
      seq += 1;
      const hash = hashLink(row, seq, prevHash);
      values.push(seq);
      for (const column of UNLINKED_COLUMNS) values.push(row[column]);
      values.push(prevHash, hash);
      prevHash = hash;
    }
    const width = COLUMNS.length;
    let at = 0;
    for (; at + ROWS_PER_INSERT * width <= values.length; at += ROWS_PER_INSERT * width)
      insertMany.run(values.slice(at, at + ROWS_PER_INSERT * width));
    for (; at < values.length; at += width) insertOne.run(values.slice(at, at + width));
    return head;
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
    return { id, head: store.append(request.rows) };
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
