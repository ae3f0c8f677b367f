import type { Kysely } from 'kysely';
import type { Tx } from '../../core/db/database.js';
import type { ApiTokensTable, DB } from '../../core/db/schema.js';
import { precompiled } from '../../core/db/precompiled.js';

export type TokenRow = ApiTokensTable;

export async function insertToken(tx: Tx, row: TokenRow): Promise<void> {
  await tx.insertInto('api_tokens').values(row).execute();
}

/** A token with the status of the participant it is bound to (null for hub roles). */
export type TokenWithParticipant = TokenRow & { participant_status: string | null };

// Every authenticated request runs this.
const tokenById = precompiled(
  (db, id: string) =>
    db
      .selectFrom('api_tokens')
      .leftJoin('participants', 'participants.id', 'api_tokens.participant_id')
      .selectAll('api_tokens')
      .select('participants.status as participant_status')
      .where('api_tokens.id', '=', id),
  ['tok_sample'],
);

export async function findToken(db: Kysely<DB>, id: string): Promise<TokenWithParticipant | undefined> {
  return (await tokenById(db, id))[0];
}

export async function listTokens(db: Kysely<DB>, includeRevoked: boolean): Promise<TokenRow[]> {
  let query = db.selectFrom('api_tokens').selectAll();
  if (!includeRevoked) query = query.where('revoked_at', 'is', null);
  return query.orderBy('created_at', 'desc').orderBy('id').execute();
}

export async function countTokens(db: Kysely<DB>): Promise<number> {
  const { count } = await db
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function markRevoked(tx: Tx, id: string, at: string, by: string): Promise<boolean> {
  const result = await tx
    .updateTable('api_tokens')
    .set({ revoked_at: at, revoked_by: by })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function touchLastUsed(db: Kysely<DB>, id: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}
