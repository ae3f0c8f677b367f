import type { Worker } from 'node:worker_threads';
import type { WriteLock } from '../core/db/write-lock.js';
import { startTypeScriptWorker } from '../core/worker.js';
import type { ChainHead, UnlinkedRow } from './chain.js';

type Work = { file: string } & ({ kind: 'append'; lock: SharedArrayBuffer; rows: UnlinkedRow[] } | { kind: 'close' });

export type WriterRequest = Work & { id: number };

/** Where a batch landed (the head it was linked after: its rows follow in order), or why not. */
export type WriterReply = { id: number } & ({ head: ChainHead } | { closed: true } | { error: string });

export type Appended = Extract<WriterReply, { head: ChainHead }>;

interface Waiting {
  resolve: (reply: WriterReply) => void;
  reject: (error: Error) => void;
}

/**
 * The one audit writer thread of the process (writer-worker.ts). Started on the first write; it
 * holds the process open only while a request is in flight, and a new one starts after a crash,
 * which fails every request in flight.
 */
class WriterThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  request(work: Work): Promise<WriterReply> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...work, id } satisfies WriterRequest);
    });
  }

  private start(): Worker {
    const worker = startTypeScriptWorker(new URL('./writer-worker.ts', import.meta.url), null);
    worker.on('message', (reply: WriterReply) => this.settle(reply));
    const stopped = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the audit writer thread stopped (exit code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(reply: WriterReply): void {
    const waiting = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker?.unref();
    waiting?.resolve(reply);
  }
}

const thread = new WriterThread();

/**
 * Appends batches of audit events to one SQLite store through the writer thread, which owns a
 * connection of its own to it. A commit with `synchronous = FULL` blocks for an fsync; on the main
 * thread that stalled every request for a quarter of the time of an audited operation.
 */
export class AuditWriter {
  constructor(private readonly sqlite: { file: string; writeLock: WriteLock }) {}

  async write(rows: UnlinkedRow[]): Promise<Appended> {
    const reply = await thread.request({
      kind: 'append',
      file: this.sqlite.file,
      lock: this.sqlite.writeLock.buffer,
      rows,
    });
    if ('error' in reply) throw new Error(reply.error);
    if (!('head' in reply)) throw new Error('the audit writer thread answered an append with something else');
    return reply;
  }

  /** Closes the thread's connection to this store (the thread stays for other stores). */
  async close(): Promise<void> {
    await thread.request({ kind: 'close', file: this.sqlite.file });
  }
}
