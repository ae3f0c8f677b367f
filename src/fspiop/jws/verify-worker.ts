import type { KeyObject } from 'node:crypto';
import { errors, flattenedVerify } from 'jose';
import { serveBatches } from '../../core/thread-pool.js';
import type { JwsVerdict, VerifiedBatch, VerifyBatch } from './verify-pool.js';

/** A verification thread: jose's flattenedVerify over each JWS of a batch, with the key it names. */
serveBatches<VerifyBatch>(async (batch, held) => {
  const verdicts = await Promise.all(
    batch.jws.map(async (jws, index): Promise<JwsVerdict | { error: string }> => {
      const key = held.get(batch.keyNames[index]!) as KeyObject | undefined;
      if (!key) return { error: 'a key was not handed to this verification thread' };
      try {
        await flattenedVerify(jws, key, { algorithms: [batch.algorithms[index]!] });
        return { valid: true };
      } catch (error) {
        if (error instanceof errors.JWSSignatureVerificationFailed) return { valid: false };
        if (error instanceof errors.JOSEError) return { malformed: error.code };
        return { error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  const reply: VerifiedBatch = { id: batch.id, verdicts };
  return { reply, transfer: [] };
});
