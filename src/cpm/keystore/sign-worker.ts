import { sign, type KeyObject } from 'node:crypto';
import { pack, serveBatches, unpacked } from '../../core/thread-pool.js';
import { signWith, type SignBatch, type SignedBatch } from './signer-pool.js';

/**
 * A signing thread of the software keystore: keeps the private keys it has been handed (as
 * KeyObjects, never serialised) and signs batches synchronously, so signing costs the main thread
 * one message per batch instead of a thread-pool job per signature.
 */
serveBatches<SignBatch>(async (batch, held) => {
  const errors: Record<number, string> = {};
  const signatures = Array.from(batch.jobOf, (job, index) => {
    const { key, algorithm } = batch.jobs[job]!;
    try {
      const keyObject = held.get(key) as KeyObject | undefined;
      if (!keyObject) throw new Error(`key ${key} was not handed to this signing thread`);
      const message = unpacked(batch.ends, batch.data, index);
      return signWith((digest, bytes, input) => sign(digest, bytes, input), keyObject, algorithm, message);
    } catch (error) {
      errors[index] = error instanceof Error ? error.message : String(error);
      return new Uint8Array(0);
    }
  });
  const packed = pack(signatures);
  const reply: SignedBatch = { id: batch.id, ends: packed.ends, signatures: packed.data, errors };
  return { reply, transfer: [packed.ends.buffer, packed.data.buffer] };
});
