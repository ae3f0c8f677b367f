import { constants, type KeyObject, type SignKeyObjectInput, type SignPrivateKeyInput } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { pack, ThreadPool, unpacked, type BatchCodec, type BatchMessage } from '../../core/thread-pool.js';
import type { SignatureAlgorithm } from './types.js';

/**
 * A batch travels packed: every message in one transferred buffer, and per item an index into the
 * batch's distinct (key, algorithm) jobs. Cloning one object and one small buffer per item cost the
 * main thread more than the signatures saved.
 */
export interface SignBatch extends BatchMessage {
  jobs: { key: string; algorithm: SignatureAlgorithm }[];
  jobOf: Uint32Array<ArrayBuffer>;
  ends: Uint32Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
}

/** The signatures packed the same way; a failed item has an empty range and its message in `errors`. */
export interface SignedBatch {
  id: number;
  ends: Uint32Array;
  signatures: Uint8Array;
  errors: Record<number, string>;
}

interface SignItem {
  name: string;
  key: KeyObject;
  algorithm: SignatureAlgorithm;
  data: Uint8Array;
}

type SignFunction<R> = (
  digest: string | null,
  data: Uint8Array,
  key: KeyObject | SignKeyObjectInput | SignPrivateKeyInput,
) => R;

/** The one place that says how each JWS algorithm signs with node:crypto (JOSE forms throughout). */
export function signWith<R>(sign: SignFunction<R>, key: KeyObject, algorithm: SignatureAlgorithm, data: Uint8Array): R {
  switch (algorithm) {
    case 'RS256':
      return sign('sha256', data, key);
    case 'PS256':
      return sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    case 'ES256':
      return sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'ES384':
      return sign('sha384', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return sign(null, data, key);
  }
}

/** Microseconds one signature takes a core here (node:crypto, measured): they size the parts sent. */
const SIGN_COST: Record<SignatureAlgorithm, number> = { RS256: 270, PS256: 270, ES256: 25, ES384: 150, EdDSA: 30 };

/** RSA's cost grows with the cube of the modulus: 2048 bits cost SIGN_COST, 4096 bits eight times that. */
function signCost({ key, algorithm }: SignItem): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return bits ? SIGN_COST[algorithm] * (bits / 2048) ** 3 : SIGN_COST[algorithm];
}

const signCodec: BatchCodec<SignItem, Buffer> = {
  needs: (item) => [[item.name, item.key]],
  cost: signCost,
  encode(id, items, handed) {
    const jobs: SignBatch['jobs'] = [];
    const jobIndex = new Map<string, number>();
    const jobOf = new Uint32Array(items.length);
    items.forEach(({ name, algorithm }, index) => {
      const job = `${algorithm} ${name}`;
      let found = jobIndex.get(job);
      if (found === undefined) {
        found = jobs.push({ key: name, algorithm }) - 1;
        jobIndex.set(job, found);
      }
      jobOf[index] = found;
    });
    const { ends, data } = pack(items.map((item) => item.data));
    const message: SignBatch = { id, handed, jobs, jobOf, ends, data };
    return { message, transfer: [data.buffer, ends.buffer, jobOf.buffer] };
  },
  decode(reply) {
    const { id, ends, signatures, errors } = reply as SignedBatch;
    const results = Array.from(ends, (_, index) => {
      const error = errors[index];
      if (error !== undefined) return new Error(error);
      const signature = unpacked(ends, signatures, index);
      return Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
    });
    return { id, results };
  },
};

const pool = new ThreadPool(new URL('./sign-worker.ts', import.meta.url), signCodec, availableParallelism());

/**
 * Signs on one thread per core (sign-worker.ts). Each thread keeps the private keys it was handed,
 * by name, until `forget` (on seal and on destruction).
 */
export const signerPool = {
  sign: (name: string, key: KeyObject, algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Buffer> =>
    pool.run({ name, key, algorithm, data }),
  forget: (prefix: string): void => pool.forget(prefix),
};
