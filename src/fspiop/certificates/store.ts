import type { Kysely } from 'kysely';
import type { Scope } from '../../core/context.js';
import type { Tx } from '../../core/db/database.js';
import type { DB, FspiopCertificatesTable } from '../../core/db/schema.js';

export type CertificateRow = FspiopCertificatesTable;

/** A participant-scoped caller only ever matches its own participant's certificates. */
const ownOnly = (scope: Scope): string | undefined => (scope.kind === 'participant' ? scope.participantId : undefined);

export async function insertCertificate(tx: Tx, row: CertificateRow): Promise<void> {
  await tx.insertInto('fspiop_certificates').values(row).execute();
}

export async function findCertificate(db: Kysely<DB>, scope: Scope, id: string): Promise<CertificateRow | undefined> {
  const own = ownOnly(scope);
  return db
    .selectFrom('fspiop_certificates')
    .selectAll()
    .where('id', '=', id)
    .$if(own !== undefined, (q) => q.where('participant_id', '=', own!))
    .executeTakeFirst();
}

export async function listCertificates(
  db: Kysely<DB>,
  scope: Scope,
  filter: { participantId?: string | undefined; use?: 'sig' | 'enc' | undefined },
): Promise<CertificateRow[]> {
  const own = ownOnly(scope);
  return db
    .selectFrom('fspiop_certificates')
    .selectAll()
    .$if(own !== undefined, (q) => q.where('participant_id', '=', own!))
    .$if(filter.participantId !== undefined, (q) => q.where('participant_id', '=', filter.participantId!))
    .$if(filter.use !== undefined, (q) => q.where('use', '=', filter.use!))
    .orderBy('participant_id')
    .orderBy('not_before')
    .orderBy('id')
    .limit(500)
    .execute();
}

/** Every certificate of one participant and use, for verification and JWKS (public data: no scope). */
export async function certificatesOf(
  db: Kysely<DB>,
  participantId: string,
  use: 'sig' | 'enc',
): Promise<CertificateRow[]> {
  return db
    .selectFrom('fspiop_certificates')
    .selectAll()
    .where('participant_id', '=', participantId)
    .where('use', '=', use)
    .orderBy('not_before')
    .orderBy('id')
    .limit(100)
    .execute();
}

/** Sets the retirement time of the given certificates, never moving an earlier retirement later. */
export async function scheduleRetirement(tx: Tx, ids: readonly string[], at: string, now: string): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .updateTable('fspiop_certificates')
    .set({ retire_at: at, updated_at: now })
    .where('id', 'in', ids)
    .where((eb) => eb.or([eb('retire_at', 'is', null), eb('retire_at', '>', at)]))
    .execute();
}
