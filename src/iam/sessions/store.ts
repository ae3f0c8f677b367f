import type { Kysely } from 'kysely';
import type { Tx } from '../../core/db/database.js';
import type { DB, SessionsTable } from '../../core/db/schema.js';

export type SessionRow = SessionsTable;

export async function insertSession(tx: Tx, row: SessionRow): Promise<void> {
  await tx.insertInto('sessions').values(row).execute();
}

export async function findSession(db: Kysely<DB>, id: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function endSession(tx: Tx, id: string, at: string): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}
