import { sign, type KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { signWith, type SignerReply, type SignerRequest } from './signer-pool.js';

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
  const results = request.items.map(({ key, algorithm, data }) => {
    const keyObject = keys.get(key);
    if (!keyObject) return { error: `key ${key} was not handed to this signing thread` };
    try {
      return signWith((digest, bytes, input) => sign(digest, bytes, input), keyObject, algorithm, data);
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });
  parentPort!.postMessage({ id: request.id, results } satisfies SignerReply);
});
