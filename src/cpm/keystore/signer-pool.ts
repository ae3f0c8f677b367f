import { constants, type KeyObject, type SignKeyObjectInput, type SignPrivateKeyInput } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../../core/worker.js';
import type { SignatureAlgorithm } from './types.js';

/**
 * A batch travels packed: every message in one transferred buffer (item i is bytes ends[i-1] to
 * ends[i]), and per item an index into the batch's distinct (key, algorithm) jobs. Cloning one
 * object and one small buffer per item cost the main thread more than the signatures saved.
 */
export type SignerRequest =
  | {
      kind: 'sign';
      id: number;
      /** Keys this thread has not been handed yet, by name. */
      keys: [string, KeyObject][];
      jobs: { key: string; algorithm: SignatureAlgorithm }[];
      jobOf: Uint32Array<ArrayBuffer>;
      ends: Uint32Array;
      data: Uint8Array;
    }
  | { kind: 'forget'; prefix: string };

/** The signatures packed the same way; a failed item has an empty range and its message in `errors`. */
export interface SignerReply {
  id: number;
  ends: Uint32Array;
  signatures: Uint8Array;
  errors: Record<number, string>;
}

/** Packs byte strings into one buffer and their end offsets. */
export function pack(parts: readonly Uint8Array[]): { ends: Uint32Array<ArrayBuffer>; data: Uint8Array<ArrayBuffer> } {
  const ends = new Uint32Array(parts.length);
  let offset = 0;
  parts.forEach((part, index) => {
    offset += part.byteLength;
    ends[index] = offset;
  });
  const data = new Uint8Array(offset);
  parts.forEach((part, index) => data.set(part, index === 0 ? 0 : ends[index - 1]));
  return { ends, data };
}

export const unpacked = (ends: Uint32Array, data: Uint8Array, index: number): Uint8Array =>
  data.subarray(index === 0 ? 0 : ends[index - 1], ends[index]);

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

interface Queued {
  name: string;
  key: KeyObject;
  algorithm: SignatureAlgorithm;
  data: Uint8Array;
  resolve: (signature: Buffer) => void;
  reject: (error: Error) => void;
}

/** One signing thread, the keys it holds, and the batches it owes answers for. */
class SignerThread {
  readonly handed = new Set<string>();
  readonly waiting = new Map<number, Queued[]>();
  outstanding = 0;

  constructor(
    readonly worker: Worker,
    private readonly onStop: (thread: SignerThread) => void,
  ) {
    worker.on('message', (reply: SignerReply) => this.settle(reply));
    const stopped = (error: Error) => {
      this.onStop(this);
      for (const batch of this.waiting.values()) for (const item of batch) item.reject(error);
      this.waiting.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`a signing thread stopped (exit code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
  }

  send(id: number, batch: Queued[]): void {
    const keys: [string, KeyObject][] = [];
    for (const item of batch) {
      if (this.handed.has(item.name)) continue;
      this.handed.add(item.name);
      keys.push([item.name, item.key]);
    }
    const jobs: { key: string; algorithm: SignatureAlgorithm }[] = [];
    const jobIndex = new Map<string, number>();
    const jobOf = new Uint32Array(batch.length);
    batch.forEach(({ name, algorithm }, index) => {
      const job = `${algorithm} ${name}`;
      let found = jobIndex.get(job);
      if (found === undefined) {
        found = jobs.push({ key: name, algorithm }) - 1;
        jobIndex.set(job, found);
      }
      jobOf[index] = found;
    });
    const { ends, data } = pack(batch.map((item) => item.data));
    this.waiting.set(id, batch);
    this.outstanding += batch.length;
    this.worker.ref();
    this.worker.postMessage({ kind: 'sign', id, keys, jobs, jobOf, ends, data } satisfies SignerRequest, [
      data.buffer,
      ends.buffer,
      jobOf.buffer,
    ]);
  }

  forget(prefix: string): void {
    for (const name of this.handed) if (name.startsWith(prefix)) this.handed.delete(name);
    this.worker.postMessage({ kind: 'forget', prefix } satisfies SignerRequest);
  }

  private settle(reply: SignerReply): void {
    const batch = this.waiting.get(reply.id) ?? [];
    this.waiting.delete(reply.id);
    this.outstanding -= batch.length;
    if (this.waiting.size === 0) this.worker.unref();
    batch.forEach((item, index) => {
      const error = reply.errors[index];
      if (error !== undefined) return item.reject(new Error(error));
      const signature = unpacked(reply.ends, reply.signatures, index);
      item.resolve(Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength));
    });
  }
}

/**
 * Signs on a pool of threads, one per core, started on first use. Signatures asked for in the same
 * turn of the event loop travel as one batch per thread; each thread keeps the keys it was handed
 * until `forget` (on seal and on destruction).
 */
class SignerPool {
  private readonly threads: (SignerThread | null)[];
  private queue: Queued[] = [];
  private nextId = 1;

  constructor(size: number) {
    this.threads = Array.from({ length: size }, () => null);
  }

  sign(name: string, key: KeyObject, algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.dispatch());
      this.queue.push({ name, key, algorithm, data, resolve, reject });
    });
  }

  forget(prefix: string): void {
    for (const thread of this.threads) thread?.forget(prefix);
  }

  private dispatch(): void {
    const queue = this.queue;
    this.queue = [];
    const threads = this.threads.map((thread, index) => thread ?? this.start(index));
    // Small batches go to the least busy thread; larger ones are shared out evenly.
    const parts = Math.min(threads.length, Math.ceil(queue.length / 16));
    const byLoad = [...threads].sort((a, b) => a.outstanding - b.outstanding);
    const size = Math.ceil(queue.length / parts);
    for (let part = 0; part < parts && part * size < queue.length; part += 1) {
      byLoad[part]!.send(this.nextId++, queue.slice(part * size, (part + 1) * size));
    }
  }

  private start(index: number): SignerThread {
    const worker = startTypeScriptWorker(new URL('./sign-worker.ts', import.meta.url), null);
    const thread = new SignerThread(worker, (stopped) => {
      if (this.threads[index] === stopped) this.threads[index] = null;
    });
    this.threads[index] = thread;
    return thread;
  }
}

export const signerPool = new SignerPool(availableParallelism());
