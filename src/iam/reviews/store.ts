import type { Kysely } from 'kysely';
import type { Tx } from '../../core/db/database.js';
import type { AccessReviewEntriesTable, AccessReviewsTable, DB } from '../../core/db/schema.js';

export type ReviewRow = AccessReviewsTable;
export type EntryRow = AccessReviewEntriesTable;

export async function insertReview(tx: Tx, row: ReviewRow, entries: EntryRow[]): Promise<void> {
  await tx.insertInto('access_reviews').values(row).execute();
  // Batches keep each statement under SQLite's bound-parameter limit.
  for (let i = 0; i < entries.length; i += 50)
    await tx
      .insertInto('access_review_entries')
      .values(entries.slice(i, i + 50))
      .execute();
}

/** Tokens live now: not revoked, not expired. */
export async function liveTokens(db: Kysely<DB>, now: string) {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('role')
    .orderBy('participant_id')
    .orderBy('id')
    .execute();
}

export async function listReviews(db: Kysely<DB>): Promise<ReviewRow[]> {
  return db.selectFrom('access_reviews').selectAll().orderBy('started_at', 'desc').orderBy('id').limit(200).execute();
}

export async function findReview(db: Kysely<DB>, id: string): Promise<ReviewRow | undefined> {
  return db.selectFrom('access_reviews').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The review completed most recently. */
export async function latestCompleted(db: Kysely<DB>): Promise<ReviewRow | undefined> {
  return db
    .selectFrom('access_reviews')
    .selectAll()
    .where('status', '=', 'completed')
    .orderBy('completed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function entriesOf(db: Kysely<DB>, reviewIds: string[]): Promise<EntryRow[]> {
  if (reviewIds.length === 0) return [];
  return db
    .selectFrom('access_review_entries')
    .selectAll()
    .where('review_id', 'in', reviewIds)
    .orderBy('role')
    .orderBy('participant_id')
    .orderBy('token_id')
    .execute();
}

export async function recordDecision(
  tx: Tx,
  reviewId: string,
  tokenId: string,
  decision: Pick<EntryRow, 'decision' | 'reason' | 'decided_at' | 'decided_by'>,
): Promise<boolean> {
  const result = await tx
    .updateTable('access_review_entries')
    .set(decision)
    .where('review_id', '=', reviewId)
    .where('token_id', '=', tokenId)
    .where('decision', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markCompleted(tx: Tx, id: string, at: string, by: string): Promise<boolean> {
  const result = await tx
    .updateTable('access_reviews')
    .set({ status: 'completed', completed_at: at, completed_by: by })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
