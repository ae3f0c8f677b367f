import { constants, type KeyObject, type SignKeyObjectInput, type SignPrivateKeyInput } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../../core/worker.js';
import type { SignatureAlgorithm } from './types.js';

export type SignerRequest =
  | {
      kind: 'sign';
      id: number;
      /** Keys this thread has not been handed yet, by name. */
      keys: [string, KeyObject][];
      items: { key: string; algorithm: SignatureAlgorithm; data: Uint8Array }[];
    }
  | { kind: 'forget'; prefix: string };

export interface SignerReply {
  id: number;
  results: (Uint8Array | { error: string })[];
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
    this.waiting.set(id, batch);
    this.outstanding += batch.length;
    this.worker.ref();
    this.worker.postMessage({
      kind: 'sign',
      id,
      keys,
      // A copy of exactly the message: cloning a Buffer clones its whole backing store, which for a
      // pooled or request-body Buffer is many times the message.
      items: batch.map(({ name, algorithm, data }) => ({ key: name, algorithm, data: new Uint8Array(data) })),
    } satisfies SignerRequest);
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
      const result = reply.results[index];
      if (result instanceof Uint8Array) item.resolve(Buffer.from(result.buffer, result.byteOffset, result.byteLength));
      else item.reject(new Error(result?.error ?? 'no answer from the signing thread'));
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
