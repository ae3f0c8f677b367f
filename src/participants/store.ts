import type { Kysely } from 'kysely';
import type { Scope } from '../core/context.js';
import type { Tx } from '../core/db/database.js';
import type { DB, ParticipantsTable } from '../core/db/schema.js';

export type ParticipantRow = ParticipantsTable;

/**
 * Every query applies this: a participant-scoped caller only ever matches its own row, even
 * through a route that forgot to check.
 */
const ownRowOnly = (scope: Scope): string | undefined =>
  scope.kind === 'participant' ? scope.participantId : undefined;

export async function insertParticipant(tx: Tx, row: ParticipantRow): Promise<void> {
  await tx.insertInto('participants').values(row).execute();
}

export async function findParticipant(db: Kysely<DB>, scope: Scope, id: string): Promise<ParticipantRow | undefined> {
  const own = ownRowOnly(scope);
  return db
    .selectFrom('participants')
    .selectAll()
    .where('id', '=', id)
    .$if(own !== undefined, (q) => q.where('id', '=', own!))
    .executeTakeFirst();
}

export interface ParticipantFilter {
  kind?: ParticipantRow['kind'] | undefined;
  status?: ParticipantRow['status'] | undefined;
  limit: number;
  offset: number;
}

export async function listParticipants(
  db: Kysely<DB>,
  scope: Scope,
  filter: ParticipantFilter,
): Promise<{ rows: ParticipantRow[]; total: number }> {
  const own = ownRowOnly(scope);
  let query = db.selectFrom('participants').$if(own !== undefined, (q) => q.where('id', '=', own!));
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const rows = await query.selectAll().orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  const { total } = await query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
}

export async function updateParticipant(
  tx: Tx,
  scope: Scope,
  id: string,
  changes: Partial<Omit<ParticipantRow, 'id' | 'created_at'>>,
): Promise<ParticipantRow | undefined> {
  const own = ownRowOnly(scope);
  const result = await tx
    .updateTable('participants')
    .set(changes)
    .where('id', '=', id)
    .$if(own !== undefined, (q) => q.where('id', '=', own!))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n ? findParticipant(tx, scope, id) : undefined;
}
