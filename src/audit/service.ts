import { hostname } from 'node:os';
import type { RequestContext } from '../core/context.js';
import type { Database, Tx } from '../core/db/database.js';
import { TrustloopError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { canonicalJsonOfRecord } from '../core/canonical-json.js';
import { isoNow, systemClock, type Clock } from '../core/clock.js';
import { linkRows, type ChainBreak, type UnlinkedRow } from './chain.js';
import { redactDetails } from './redact.js';
import { DEFAULT_VERIFY_OPTIONS, verifyChain, type VerifyOptions } from './verify.js';
import { getRow, headSeq, insertRows, listRows, lockHead, scanRows, type AuditFilter, type AuditRow } from './store.js';
import { AuditWriter } from './writer.js';

/** What a caller says happened; the service adds who, when, where and the chain links. */
export interface AuditEntry {
  /** A stable verb: `participant.create`, `token.revoke`, `auth.denied`, … */
  action: string;
  resource: { type: string; id?: string | null };
  outcome?: AuditRow['outcome'];
  errorCode?: string | null;
  participantId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  seq: number;
  id: string;
  time: string;
  service: string;
  host: string;
  actor: { type: string; id: string; role: string | null };
  action: string;
  resource: { type: string; id: string | null };
  outcome: AuditRow['outcome'];
  errorCode: string | null;
  requestId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  sessionId: string | null;
  participantId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** Where a recorded event landed in the chain. */
export interface AuditReceipt {
  seq: number;
}

export interface VerificationResult {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  reason: ChainBreak | null;
  headSeq: number;
  headHash: string | null;
  verifiedAt: string;
}

/** Events per group commit: bounds one transaction's size under a flood. */
const MAX_GROUP = 1000;

interface Waiting {
  ctx: RequestContext;
  entry: AuditEntry;
  resolve: (receipt: AuditReceipt) => void;
  reject: (error: unknown) => void;
}

export class AuditService {
  private readonly host = hostname();
  private readonly waiting: Waiting[] = [];
  private flushing = false;
  private flushed: Promise<void> = Promise.resolve();
  /** SQLite: recorded events are appended on a thread of their own (see writer.ts). */
  private readonly writer: AuditWriter | null;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock = systemClock,
    private readonly verifyOptions: VerifyOptions = DEFAULT_VERIFY_OPTIONS,
  ) {
    this.writer = database.sqlite ? new AuditWriter(database.sqlite) : null;
  }

  /** Waits for recorded events still being written, then lets go of the writer thread's connection. */
  async close(): Promise<void> {
    await this.flushed;
    await this.writer?.close();
  }

  /**
   * Appends events inside the caller's transaction, after every other write of the change. If the
   * append fails the error propagates and the caller's transaction, change included, rolls back.
   */
  async append(tx: Tx, ctx: RequestContext, ...entries: AuditEntry[]): Promise<void> {
    await this.appendEach(
      tx,
      entries.map((entry) => ({ ctx, entry })),
    );
  }

  /**
   * Records an event that has no other write with it (a crypto operation, a denial, a login). The
   * promise settles only once the event is durable. Events recorded while a commit is in flight are
   * written together in the next one (group commit): concurrent operations share one fsync instead
   * of queueing for one each. If that commit fails, every operation waiting on it fails.
   */
  record(ctx: RequestContext, entry: AuditEntry): Promise<AuditReceipt> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ctx, entry, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        this.flushed = this.flush();
      }
    });
  }

  private async flush(): Promise<void> {
    // The writer thread may hold a second batch while it commits the first, so it never waits for
    // the main thread between commits; a transaction on this thread holds the one connection.
    const limit = this.writer ? 2 : 1;
    const inFlight = new Set<Promise<void>>();
    while (this.waiting.length > 0 || inFlight.size > 0) {
      if (this.waiting.length === 0 || inFlight.size >= limit) {
        await Promise.race(inFlight);
        continue;
      }
      // Let finished I/O (signatures from the thread pool, other requests) queue its events first.
      await new Promise(setImmediate);
      const written = this.writeBatch(this.waiting.splice(0, MAX_GROUP)).finally(() => inFlight.delete(written));
      inFlight.add(written);
    }
    // In the same turn as the emptiness check: a record() arriving after it starts a new flush.
    this.flushing = false;
  }

  private async writeBatch(batch: Waiting[]): Promise<void> {
    try {
      const first = this.writer
        ? await this.writeThroughWorker(this.writer, batch)
        : await this.database.transaction((tx) => this.appendEach(tx, batch));
      batch.forEach((item, index) => item.resolve({ seq: first + index }));
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }

  /** Links and inserts the events after the chain's head, locked for the transaction; returns the first's seq. */
  private async appendEach(tx: Tx, items: { ctx: RequestContext; entry: AuditEntry }[]): Promise<number> {
    try {
      const head = await lockHead(tx, this.database.engine);
      const rows = linkRows(
        items.map(({ ctx, entry }) => this.unlinkedRow(ctx, entry)),
        head,
      );
      await insertRows(tx, rows);
      return head.seq + 1;
    } catch (error) {
      throw unavailable(error);
    }
  }

  private async writeThroughWorker(writer: AuditWriter, items: Waiting[]): Promise<number> {
    try {
      const { head } = await writer.write(items.map(({ ctx, entry }) => this.unlinkedRow(ctx, entry)));
      return head.seq + 1;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async list(filter: AuditFilter): Promise<AuditEvent[]> {
    return (await listRows(this.database.db, filter)).map((row) => toEvent(row));
  }

  async get(seq: number): Promise<AuditEvent | undefined> {
    const row = await getRow(this.database.db, seq);
    return row && toEvent(row);
  }

  /** Recomputes the whole chain from the stored rows; names the first sequence number that breaks it. */
  async verify(): Promise<VerificationResult> {
    const chain = await verifyChain(this.database, this.verifyOptions);
    return {
      ok: chain.broken === null,
      checked: chain.checked,
      firstBadSeq: chain.broken?.seq ?? null,
      reason: chain.broken?.reason ?? null,
      headSeq: chain.headSeq,
      headHash: chain.headHash,
      verifiedAt: isoNow(this.clock),
    };
  }

  /** Every event in sequence order, as stored (hashes included), for offline verification. */
  async *export(): AsyncGenerator<AuditEvent> {
    const upTo = await headSeq(this.database.db);
    for await (const page of scanRows(this.database, { after: 0, upTo })) yield* page.map((row) => toEvent(row));
  }

  private unlinkedRow(ctx: RequestContext, entry: AuditEntry): UnlinkedRow {
    return {
      id: newId('evt'),
      time: isoNow(this.clock),
      service: ctx.service,
      host: this.host,
      actor_type: ctx.actor.type,
      actor_id: ctx.actor.id,
      actor_role: ctx.actor.role,
      action: entry.action,
      resource_type: entry.resource.type,
      resource_id: entry.resource.id ?? null,
      outcome: entry.outcome ?? 'success',
      error_code: entry.errorCode ?? null,
      request_id: ctx.requestId,
      source_ip: ctx.sourceIp,
      user_agent: ctx.userAgent === null ? null : ctx.userAgent.slice(0, 256),
      session_id: ctx.sessionId,
      participant_id: entry.participantId ?? ctx.actor.participantId,
      details: canonicalJsonOfRecord(redactDetails(entry.details ?? {}) as Record<string, unknown>),
    };
  }
}

const unavailable = (cause: unknown) =>
  new TrustloopError('ERR_AUDIT_UNAVAILABLE', 'the audit trail could not be written; nothing was changed', { cause });

function toEvent(row: AuditRow): AuditEvent {
  return {
    seq: row.seq,
    id: row.id,
    time: row.time,
    service: row.service,
    host: row.host,
    actor: { type: row.actor_type, id: row.actor_id, role: row.actor_role },
    action: row.action,
    resource: { type: row.resource_type, id: row.resource_id },
    outcome: row.outcome,
    errorCode: row.error_code,
    requestId: row.request_id,
    sourceIp: row.source_ip,
    userAgent: row.user_agent,
    sessionId: row.session_id,
    participantId: row.participant_id,
    details: parseDetails(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    // A tampered row may hold anything; listing must still work so verification can name it.
    return {};
  }
}
