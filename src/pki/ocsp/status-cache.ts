import type { Status } from './respond.js';

/** "good" is kept this long: the bound on a revocation made by another instance going unseen. */
export const GOOD_STATUS_MS = 5_000;
const LIMIT = 50_000;

/**
 * The status the responder last read for a (CA, serial), for answers signed per request. Only
 * a revocation changes a certificate's status, and it cannot be undone: "revoked" is kept until
 * the entry is pushed out; "good" for GOOD_STATUS_MS, and dropped at once when this instance
 * revokes the certificate (`forget`); "unknown" is never kept (the serial may be issued next).
 * A read that was under way while something was forgotten is not kept, so a read that began
 * before a revocation committed cannot put the old "good" back.
 */
export class StatusCache {
  private readonly entries = new Map<string, { status: Status; until: number }>();
  private epoch = 0;

  private get(caId: string, serial: string, now: number): Status | undefined {
    const entry = this.entries.get(`${caId}:${serial}`);
    return entry && entry.until > now ? entry.status : undefined;
  }

  /** Reads the status with `read` unless it is kept, keeping what it read when that is allowed. */
  async read(caId: string, serial: string, now: number, read: () => Promise<Status>): Promise<Status> {
    const kept = this.get(caId, serial, now);
    if (kept) return kept;
    const epoch = this.epoch;
    const status = await read();
    if (status.kind !== 'unknown' && epoch === this.epoch) {
      const key = `${caId}:${serial}`;
      if (this.entries.size >= LIMIT) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(key, { status, until: status.kind === 'good' ? now + GOOD_STATUS_MS : Infinity });
    }
    return status;
  }

  /** Drops one certificate's status (it was revoked here). */
  forget(caId: string, serial: string): void {
    this.epoch += 1;
    this.entries.delete(`${caId}:${serial}`);
  }

  /** Drops everything (a CA was revoked). */
  clear(): void {
    this.epoch += 1;
    this.entries.clear();
  }
}
