import type { AuditService } from '../../audit/service.js';
import { isoNow, systemClock, type Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import type { Database } from '../../core/db/database.js';
import { isUniqueViolation } from '../../core/db/violations.js';
import { TrustloopError, conflict, invalid, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { NotificationService } from '../../notifications/service.js';
import type { TokenService } from '../tokens/service.js';
import { findToken } from '../tokens/store.js';
import type { Decide, ReviewDetail, ReviewEntry, ReviewSummary, StartReview } from './schemas.js';
import {
  entriesOf,
  findReview,
  insertReview,
  latestCompleted,
  listReviews,
  liveTokens,
  markCompleted,
  recordDecision,
  type EntryRow,
  type ReviewRow,
} from './store.js';

/** What the PCI DSS 7.2.4 collector needs: the newest completed review and who it covered. */
export interface ReviewCoverage {
  review: ReviewSummary;
  /** Tokens the review decided to keep (revoked ones are gone, undecided ones cannot exist). */
  kept: Set<string>;
}

/**
 * Access reviews (PCI DSS 7.2.4): an officer snapshots every live token with its role, decides
 * keep or revoke for each (a revocation revokes the token in the same transaction), and completes
 * the review once every entry is decided. Nobody decides about their own token.
 */
export class AccessReviewService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly tokens: TokenService,
    private readonly notifications: NotificationService,
    private readonly clock: Clock = systemClock,
  ) {}

  async start(ctx: RequestContext, input: StartReview): Promise<ReviewDetail> {
    const now = isoNow(this.clock);
    const id = newId('arv');
    const row: ReviewRow = {
      id,
      status: 'open',
      note: input.note ?? null,
      started_at: now,
      started_by: ctx.actor.id,
      completed_at: null,
      completed_by: null,
    };
    try {
      await this.database.transaction(async (tx) => {
        const entries: EntryRow[] = (await liveTokens(tx, now)).map((token) => ({
          review_id: id,
          token_id: token.id,
          token_name: token.name,
          role: token.role,
          participant_id: token.participant_id,
          token_created_at: token.created_at,
          expires_at: token.expires_at,
          last_used_at: token.last_used_at,
          decision: null,
          reason: null,
          decided_at: null,
          decided_by: null,
        }));
        await insertReview(tx, row, entries);
        await this.audit.append(tx, ctx, {
          action: 'access-review.start',
          resource: { type: 'access-review', id },
          details: { entries: entries.length, note: row.note },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('an access review is already open: complete it first');
      throw error;
    }
    return this.get(id);
  }

  async list(): Promise<ReviewSummary[]> {
    const rows = await listReviews(this.database.db);
    const entries = await entriesOf(
      this.database.db,
      rows.map((row) => row.id),
    );
    return rows.map((row) =>
      summarise(
        row,
        entries.filter((entry) => entry.review_id === row.id),
      ),
    );
  }

  async get(id: string): Promise<ReviewDetail> {
    const row = await findReview(this.database.db, id);
    if (!row) throw notFound('access review', id);
    const entries = await entriesOf(this.database.db, [id]);
    return { review: summarise(row, entries), entries: entries.map(toEntry) };
  }

  /** Records keep or revoke for one entry; a revoke revokes the token with it, atomically. */
  async decide(ctx: RequestContext, id: string, tokenId: string, input: Decide): Promise<ReviewDetail> {
    if (input.decision === 'revoke' && input.reason === undefined)
      throw invalid('reason', 'is required to revoke access');
    if (ctx.actor.id === tokenId)
      throw new TrustloopError('ERR_FORBIDDEN', 'nobody reviews their own access: another officer decides this entry');
    const review = await this.openReview(id);
    const entry = (await entriesOf(this.database.db, [id])).find((e) => e.token_id === tokenId);
    if (!entry) throw notFound('review entry', tokenId);
    const now = isoNow(this.clock);
    await this.database.transaction(async (tx) => {
      const recorded = await recordDecision(tx, review.id, tokenId, {
        decision: input.decision,
        reason: input.reason ?? null,
        decided_at: now,
        decided_by: ctx.actor.id,
      });
      if (!recorded) throw conflict(`the entry for '${tokenId}' is already decided (${entry.decision})`);
      const alreadyGone = (await findToken(tx, tokenId))?.revoked_at != null;
      if (input.decision === 'revoke' && !alreadyGone)
        await this.tokens.revokeWithin(tx, ctx, tokenId, { accessReview: id, reason: input.reason });
      await this.audit.append(tx, ctx, {
        action: 'access-review.decide',
        resource: { type: 'access-review', id },
        participantId: entry.participant_id,
        details: {
          tokenId,
          role: entry.role,
          decision: input.decision,
          reason: input.reason ?? null,
          alreadyRevoked: alreadyGone,
        },
      });
    });
    return this.get(id);
  }

  /** Closes the review once every entry is decided; the reviewer and time are recorded and announced. */
  async complete(ctx: RequestContext, id: string): Promise<ReviewDetail> {
    await this.openReview(id);
    const entries = await entriesOf(this.database.db, [id]);
    const undecided = entries.filter((entry) => entry.decision === null).length;
    if (undecided > 0) throw conflict(`${undecided} entr${undecided === 1 ? 'y is' : 'ies are'} still undecided`);
    const now = isoNow(this.clock);
    const kept = entries.filter((entry) => entry.decision === 'keep').length;
    const revoked = entries.length - kept;
    await this.database.transaction(async (tx) => {
      if (!(await markCompleted(tx, id, now, ctx.actor.id)))
        throw conflict(`access review '${id}' is already completed`);
      await this.audit.append(tx, ctx, {
        action: 'access-review.complete',
        resource: { type: 'access-review', id },
        details: { entries: entries.length, kept, revoked },
      });
      await this.notifications.emit(tx, ctx, {
        type: 'iam.access-review.completed',
        severity: 'info',
        subject: `Access review ${id} completed: ${kept} kept, ${revoked} revoked`,
        participantId: null,
        payload: { reviewId: id, completedBy: ctx.actor.id, entries: entries.length, kept, revoked },
      });
    });
    return this.get(id);
  }

  /** The newest completed review and the tokens it kept, or undefined when there is none. */
  async coverage(): Promise<ReviewCoverage | undefined> {
    const row = await latestCompleted(this.database.db);
    if (!row) return undefined;
    const entries = await entriesOf(this.database.db, [row.id]);
    return {
      review: summarise(row, entries),
      kept: new Set(entries.filter((entry) => entry.decision === 'keep').map((entry) => entry.token_id)),
    };
  }

  private async openReview(id: string): Promise<ReviewRow> {
    const review = await findReview(this.database.db, id);
    if (!review) throw notFound('access review', id);
    if (review.status !== 'open') throw conflict(`access review '${id}' is completed`);
    return review;
  }
}

function summarise(row: ReviewRow, entries: EntryRow[]): ReviewSummary {
  const kept = entries.filter((entry) => entry.decision === 'keep').length;
  const revoked = entries.filter((entry) => entry.decision === 'revoke').length;
  return {
    id: row.id,
    status: row.status,
    note: row.note,
    startedAt: row.started_at,
    startedBy: row.started_by,
    completedAt: row.completed_at,
    completedBy: row.completed_by,
    entries: entries.length,
    kept,
    revoked,
    undecided: entries.length - kept - revoked,
  };
}

const toEntry = (row: EntryRow): ReviewEntry => ({
  tokenId: row.token_id,
  tokenName: row.token_name,
  role: row.role,
  participantId: row.participant_id,
  tokenCreatedAt: row.token_created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  decision: row.decision,
  reason: row.reason,
  decidedAt: row.decided_at,
  decidedBy: row.decided_by,
});
