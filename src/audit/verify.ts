import { availableParallelism } from 'node:os';
import type { Database, DatabaseOptions } from '../core/db/database.js';
import { startTypeScriptWorker } from '../core/worker.js';
import { GENESIS_HASH, hashEvent, type ChainBreak } from './chain.js';
import { headSeq, scanRows } from './store.js';

/** What one pass over the sequence numbers `from`..`to` found. */
export interface RangeResult {
  from: number;
  to: number;
  checked: number;
  broken: { seq: number; reason: ChainBreak } | null;
  /** The link the range's first row claims; the previous range's last hash must equal it. */
  firstPrevHash: string | null;
  lastHash: string | null;
}

export interface ChainResult {
  checked: number;
  broken: { seq: number; reason: ChainBreak } | null;
  headSeq: number;
  headHash: string | null;
}

/**
 * Checks rows `from`..`to`: no missing or stray sequence number, every hash recomputed, every
 * link to the row before. The first row's link is only recorded: the caller joins ranges.
 */
export async function verifyRange(database: Database, from: number, to: number): Promise<RangeResult> {
  const result: RangeResult = { from, to, checked: 0, broken: null, firstPrevHash: null, lastHash: null };
  let nextSeq = from;
  for await (const page of scanRows(database, { after: from - 1, upTo: to })) {
    for (const row of page) {
      const reason: ChainBreak | null =
        row.seq !== nextSeq
          ? 'missing-event'
          : hashEvent(row) !== row.hash
            ? 'hash-mismatch'
            : result.lastHash !== null && row.prev_hash !== result.lastHash
              ? 'previous-hash-mismatch'
              : null;
      if (reason) {
        result.broken = { seq: reason === 'missing-event' ? nextSeq : row.seq, reason };
        return result;
      }
      if (result.lastHash === null) result.firstPrevHash = row.prev_hash;
      result.lastHash = row.hash;
      result.checked += 1;
      nextSeq += 1;
    }
  }
  if (nextSeq <= to) result.broken = { seq: nextSeq, reason: 'missing-event' };
  return result;
}

/** Joins consecutive ranges into one verdict: the first break in sequence order wins. */
export function joinRanges(ranges: RangeResult[], head: number): ChainResult {
  let checked = 0;
  let lastHash: string | null = null;
  for (const range of ranges) {
    const expected = lastHash ?? GENESIS_HASH;
    if (range.checked > 0 && range.firstPrevHash !== expected) {
      return { checked, broken: { seq: range.from, reason: 'previous-hash-mismatch' }, headSeq: head, headHash: null };
    }
    checked += range.checked;
    if (range.broken) return { checked, broken: range.broken, headSeq: head, headHash: null };
    lastHash = range.lastHash ?? lastHash;
  }
  return { checked, broken: null, headSeq: head, headHash: lastHash };
}

export interface VerifyOptions {
  /** Chains shorter than this are verified on the calling thread; starting workers costs more. */
  parallelFrom: number;
  workers: number;
}

export const DEFAULT_VERIFY_OPTIONS: VerifyOptions = {
  parallelFrom: 100_000,
  workers: Math.min(4, availableParallelism()),
};

/**
 * Verifies the chain up to its head at the time of the call. A long chain is cut into one range per
 * core, each read and hashed by a worker thread with its own connection; only the joins between
 * ranges are checked here. Events appended meanwhile are left to the next verification.
 */
export async function verifyChain(
  database: Database,
  options: VerifyOptions = DEFAULT_VERIFY_OPTIONS,
): Promise<ChainResult> {
  const head = await headSeq(database.db);
  if (head < options.parallelFrom || options.workers < 2)
    return joinRanges([await verifyRange(database, 1, head)], head);
  const size = Math.ceil(head / options.workers);
  const ranges = Array.from({ length: options.workers }, (_, i) => ({
    from: i * size + 1,
    to: Math.min(head, (i + 1) * size),
  }));
  return joinRanges(await Promise.all(ranges.map((range) => inWorker(database.options, range))), head);
}

function inWorker(database: DatabaseOptions, range: { from: number; to: number }): Promise<RangeResult> {
  return new Promise((resolve, reject) => {
    const worker = startTypeScriptWorker(new URL('./verify-worker.ts', import.meta.url), { database, ...range });
    worker.once('message', (result: RangeResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`verification worker exited with code ${code}`));
    });
  });
}
