import { sign, type KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { pack, signWith, unpacked, type SignerReply, type SignerRequest } from './signer-pool.js';

/**
 * A signing thread of the software keystore: keeps the private keys it has been handed (as
 * KeyObjects, never serialised) and signs batches synchronously, so signing costs the main thread
 * one message per batch instead of a thread-pool job per signature.
 */
const keys = new Map<string, KeyObject>();

parentPort!.on('message', (request: SignerRequest) => {
  if (request.kind === 'forget') {
    for (const name of keys.keys()) if (name.startsWith(request.prefix)) keys.delete(name);
    return;
  }
  for (const [name, key] of request.keys) keys.set(name, key);
  const errors: Record<number, string> = {};
  const signatures = Array.from(request.jobOf, (job, index) => {
    const { key, algorithm } = request.jobs[job]!;
    const keyObject = keys.get(key);
    try {
      if (!keyObject) throw new Error(`key ${key} was not handed to this signing thread`);
      return signWith(
        (digest, bytes, input) => sign(digest, bytes, input),
        keyObject,
        algorithm,
        unpacked(request.ends, request.data, index),
      );
    } catch (error) {
      errors[index] = error instanceof Error ? error.message : String(error);
      return new Uint8Array(0);
    }
  });
  const packed = pack(signatures);
  parentPort!.postMessage(
    { id: request.id, ends: packed.ends, signatures: packed.data, errors } satisfies SignerReply,
    [packed.ends.buffer, packed.data.buffer],
  );
});
