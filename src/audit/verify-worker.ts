import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type DatabaseOptions } from '../core/db/database.js';
import { verifyRange } from './verify.js';

/** One range of a parallel chain verification, on a connection of its own. */
const { database, from, to } = workerData as { database: DatabaseOptions; from: number; to: number };
const store = openDatabase(database);
try {
  parentPort!.postMessage(await verifyRange(store, from, to));
} finally {
  await store.close();
}
