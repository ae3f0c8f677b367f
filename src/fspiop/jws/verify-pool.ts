import { randomUUID, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { FlattenedJWSInput } from 'jose';
import { ThreadPool, type BatchCodec, type BatchMessage } from '../../core/thread-pool.js';

/** What jose said of one signature: it verifies, it does not, or the JWS is not well formed (jose's code). */
export type JwsVerdict = { valid: true } | { valid: false } | { malformed: string };

export interface VerifyBatch extends BatchMessage {
  keyNames: string[];
  algorithms: string[];
  jws: FlattenedJWSInput[];
}

export interface VerifiedBatch {
  id: number;
  verdicts: (JwsVerdict | { error: string })[];
}

interface VerifyItem {
  keyName: string;
  key: KeyObject;
  algorithm: string;
  jws: FlattenedJWSInput;
}

const verifyCodec: BatchCodec<VerifyItem, JwsVerdict> = {
  needs: (item) => [[item.keyName, item.key]],
  encode(id, items, handed) {
    const message: VerifyBatch = {
      id,
      handed,
      keyNames: items.map((item) => item.keyName),
      algorithms: items.map((item) => item.algorithm),
      jws: items.map((item) => item.jws),
    };
    return { message, transfer: [] };
  },
  decode(reply) {
    const { id, verdicts } = reply as VerifiedBatch;
    return { id, results: verdicts.map((verdict) => ('error' in verdict ? new Error(verdict.error) : verdict)) };
  },
};

const pool = new ThreadPool(new URL('./verify-worker.ts', import.meta.url), verifyCodec, availableParallelism());

/** Names each public key once, so a thread is handed it once however many certificates share an id. */
const keyNames = new WeakMap<KeyObject, string>();

function nameOf(key: KeyObject): string {
  let name = keyNames.get(key);
  if (name === undefined) {
    name = randomUUID();
    keyNames.set(key, name);
  }
  return name;
}

/**
 * Verifies a flattened JWS with jose on one thread per core (verify-worker.ts): jose's WebCrypto
 * verification is mostly JavaScript, which on the main thread was the larger part of an FSPIOP
 * verification. Only public keys travel to the threads.
 */
export const verifyJws = (jws: FlattenedJWSInput, key: KeyObject, algorithm: string): Promise<JwsVerdict> =>
  pool.run({ keyName: nameOf(key), key, algorithm, jws });
