import { parentPort, type Transferable, type Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from './worker.js';

/**
 * How one kind of work travels to its threads. Each thread is handed, once, the named things its
 * items need (keys, as KeyObjects); `handed` in `encode` is what this batch hands over.
 */
export interface BatchCodec<I, O> {
  /** The things an item needs, by name: sent along with the first batch that needs them. */
  needs(item: I): [name: string, thing: unknown][];
  encode(id: number, items: I[], handed: [string, unknown][]): { message: unknown; transfer: Transferable[] };
  /** One result per item, in order, or the error that item failed with. */
  decode(reply: unknown): { id: number; results: (O | Error)[] };
  /** Roughly how many microseconds of a thread's time the item takes (DEFAULT_ITEM_COST if not said). */
  cost?(item: I): number;
}

/** What an item costs a thread, in microseconds, when its codec does not say. */
export const DEFAULT_ITEM_COST = 30;
/**
 * A part is sent as one message and answered as one. Below the minimum, a message costs the main
 * thread more than the part's items save it; above the maximum, the first item of a part waits
 * too long for the last (an RSA-2048 signature takes 0.27 ms, and 16 of them were 4 ms of latency
 * added to every request in the part).
 */
const MIN_PART_COST = 500;
const MAX_PART_COST = 1_500;

/** Asks a thread to drop the things it was handed whose names start with `prefix`. */
export interface ForgetMessage {
  kind: 'forget';
  prefix: string;
}

interface Task<I, O> {
  item: I;
  cost: number;
  resolve: (result: O) => void;
  reject: (error: Error) => void;
}

/** One thread, what it holds, and the batches it owes answers for. */
class PoolThread<I, O> {
  readonly handed = new Set<string>();
  readonly waiting = new Map<number, Task<I, O>[]>();
  outstanding = 0;

  constructor(
    private readonly worker: Worker,
    private readonly codec: BatchCodec<I, O>,
    onStop: (thread: PoolThread<I, O>) => void,
  ) {
    worker.on('message', (reply: unknown) => this.settle(reply));
    const stopped = (error: Error) => {
      onStop(this);
      for (const batch of this.waiting.values()) for (const task of batch) task.reject(error);
      this.waiting.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`a worker thread stopped (exit code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
  }

  send(id: number, batch: Task<I, O>[]): void {
    const handing: [string, unknown][] = [];
    for (const task of batch) {
      for (const [name, thing] of this.codec.needs(task.item)) {
        if (this.handed.has(name)) continue;
        this.handed.add(name);
        handing.push([name, thing]);
      }
    }
    const { message, transfer } = this.codec.encode(
      id,
      batch.map((task) => task.item),
      handing,
    );
    this.waiting.set(id, batch);
    for (const task of batch) this.outstanding += task.cost;
    this.worker.ref();
    this.worker.postMessage(message, transfer);
  }

  forget(prefix: string): void {
    for (const name of this.handed) if (name.startsWith(prefix)) this.handed.delete(name);
    this.worker.postMessage({ kind: 'forget', prefix } satisfies ForgetMessage);
  }

  private settle(reply: unknown): void {
    const { id, results } = this.codec.decode(reply);
    const batch = this.waiting.get(id) ?? [];
    this.waiting.delete(id);
    for (const task of batch) this.outstanding -= task.cost;
    if (this.waiting.size === 0) this.worker.unref();
    batch.forEach((task, index) => {
      const result = results[index];
      if (result instanceof Error) task.reject(result);
      else if (result === undefined) task.reject(new Error('no answer from the worker thread'));
      else task.resolve(result);
    });
  }
}

/**
 * A pool of worker threads, started on first use, that takes items one by one and sends what
 * arrives in the same turn of the event loop as one batch per thread: a message costs the main
 * thread far more than a small item does. Threads hold the process open only while they owe an
 * answer; one that crashes fails its batches and is replaced on the next use.
 */
export class ThreadPool<I, O> {
  private readonly threads: (PoolThread<I, O> | null)[];
  private queue: Task<I, O>[] = [];
  private nextId = 1;

  constructor(
    private readonly module: URL,
    private readonly codec: BatchCodec<I, O>,
    size: number,
  ) {
    this.threads = Array.from({ length: size }, () => null);
  }

  run(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.dispatch());
      this.queue.push({ item, cost: this.codec.cost?.(item) ?? DEFAULT_ITEM_COST, resolve, reject });
    });
  }

  /** Every thread drops what it was handed under `prefix` (and is handed it again if needed). */
  forget(prefix: string): void {
    for (const thread of this.threads) thread?.forget(prefix);
  }

  private dispatch(): void {
    const queue = this.queue;
    this.queue = [];
    const threads = this.threads.map((thread, index) => thread ?? this.start(index));
    let from = 0;
    for (const to of partEnds(
      queue.map((task) => task.cost),
      threads.length,
    )) {
      const idlest = threads.reduce((best, thread) => (thread.outstanding < best.outstanding ? thread : best));
      idlest.send(this.nextId++, queue.slice(from, to));
      from = to;
    }
  }

  private start(index: number): PoolThread<I, O> {
    const thread = new PoolThread(startTypeScriptWorker(this.module, null), this.codec, (stopped) => {
      if (this.threads[index] === stopped) this.threads[index] = null;
    });
    this.threads[index] = thread;
    return thread;
  }
}

/**
 * Where to cut a turn's items (their costs, in order) into parts: a little work is one part for the
 * least busy thread; more is shared among the threads, in parts small enough to be answered as each
 * is done. Returns each part's end index.
 */
export function partEnds(costs: readonly number[], threads: number): number[] {
  const total = costs.reduce((sum, cost) => sum + cost, 0);
  const parts = Math.max(Math.min(threads, Math.ceil(total / MIN_PART_COST)), Math.ceil(total / MAX_PART_COST));
  const share = total / parts;
  const ends: number[] = [];
  let partCost = 0;
  costs.forEach((cost, index) => {
    partCost += cost;
    if (partCost >= share || index === costs.length - 1) {
      ends.push(index + 1);
      partCost = 0;
    }
  });
  return ends;
}

/** Packs byte strings into one buffer and their end offsets (item i is bytes ends[i-1] to ends[i]). */
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

/** What every batch message carries besides its own fields: its id and the things handed with it. */
export interface BatchMessage {
  id: number;
  handed: [string, unknown][];
}

/**
 * The worker side: keeps what it is handed until told to forget it, and answers each batch with
 * what `handle` returns (transferring the buffers it names).
 */
export function serveBatches<M extends BatchMessage>(
  handle: (message: M, held: Map<string, unknown>) => Promise<{ reply: unknown; transfer: Transferable[] }>,
): void {
  const held = new Map<string, unknown>();
  parentPort!.on('message', async (message: M | ForgetMessage) => {
    if ('kind' in message && message.kind === 'forget') {
      for (const name of held.keys()) if (name.startsWith(message.prefix)) held.delete(name);
      return;
    }
    const batch = message as M;
    for (const [name, thing] of batch.handed) held.set(name, thing);
    const { reply, transfer } = await handle(batch, held);
    parentPort!.postMessage(reply, transfer);
  });
}
