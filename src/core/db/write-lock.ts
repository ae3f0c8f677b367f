/**
 * SQLite's write lock between the threads of one process. Two connections (the main thread's and
 * the audit writer's) would otherwise meet in SQLite's busy handler, which polls with sleeps of up
 * to 100 ms, has no fairness, and would block the event loop while it sleeps. This lock hands the
 * write lock over with `Atomics.wait`/`notify` instead, and the main thread goes first: the audit
 * writer never starts a transaction while the main thread is waiting for one.
 *
 * Layout of the shared words: [0] 0 = free, 1 = held; [1] number of main-thread waiters.
 */
const STATE = 0;
const MAIN_WAITING = 1;
const FREE = 0;
const HELD = 1;
/** Wakes periodically even without a notify, so a lost wake-up costs at most this long. */
const WAIT_SLICE_MS = 20;
/**
 * As SQLite's busy timeout. Only the main thread gives up: the writer thread holds the lock for one
 * synchronous transaction, so a wait longer than this means that thread died holding it. The main
 * thread may hold it across slow awaited work (a key generated inside a transaction), so the
 * writer thread waits as long as it takes.
 */
const MAIN_GIVES_UP_MS = 5000;

export class WriteLock {
  private readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.words = new Int32Array(buffer);
  }

  /** For the main thread: blocks until the lock is ours (at most one writer transaction long). */
  acquireFirst(): void {
    Atomics.add(this.words, MAIN_WAITING, 1);
    try {
      this.take(MAIN_GIVES_UP_MS);
    } finally {
      Atomics.sub(this.words, MAIN_WAITING, 1);
      Atomics.notify(this.words, MAIN_WAITING);
    }
  }

  /** For the writer thread: lets any waiting main-thread transaction go first. */
  acquireAfterMain(): void {
    for (;;) {
      const waiting = Atomics.load(this.words, MAIN_WAITING);
      if (waiting === 0) break;
      Atomics.wait(this.words, MAIN_WAITING, waiting, WAIT_SLICE_MS);
    }
    this.take(Infinity);
  }

  release(): void {
    Atomics.store(this.words, STATE, FREE);
    Atomics.notify(this.words, STATE);
  }

  private take(giveUpMs: number): void {
    const giveUpAt = performance.now() + giveUpMs;
    while (Atomics.compareExchange(this.words, STATE, FREE, HELD) !== FREE) {
      if (performance.now() > giveUpAt) throw new Error('the database write lock was not released in time');
      Atomics.wait(this.words, STATE, HELD, WAIT_SLICE_MS);
    }
  }
}
