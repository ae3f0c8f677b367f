import type { Kysely } from 'kysely';
import type { Scope } from '../core/context.js';
import type { Tx } from '../core/db/database.js';
import type {
  DB,
  PkiCasTable,
  PkiCertificatesTable,
  PkiCrlsTable,
  PkiEnrolmentsTable,
  PkiOcspResponsesTable,
  PkiParticipantChainsTable,
} from '../core/db/schema.js';

export type CaRow = PkiCasTable;
export type CertificateRow = PkiCertificatesTable;
export type EnrolmentRow = PkiEnrolmentsTable;
export type CrlRow = PkiCrlsTable;
export type ChainRow = PkiParticipantChainsTable;
export type OcspResponseRow = PkiOcspResponsesTable;

/** A participant-scoped caller only ever matches rows of its own participant. */
const own = (scope: Scope): string | undefined => (scope.kind === 'participant' ? scope.participantId : undefined);

export async function insertCa(tx: Tx, row: CaRow): Promise<void> {
  await tx.insertInto('pki_cas').values(row).execute();
}

export async function findCa(db: Kysely<DB>, id: string): Promise<CaRow | undefined> {
  return db.selectFrom('pki_cas').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Which of `ids` are CAs that are still active (read inside the transaction that relies on it). */
export async function activeCaIds(tx: Tx, ids: string[]): Promise<Set<string>> {
  const rows = await tx
    .selectFrom('pki_cas')
    .select('id')
    .where('id', 'in', ids)
    .where('status', '=', 'active')
    .execute();
  return new Set(rows.map((row) => row.id));
}

export async function listCas(db: Kysely<DB>): Promise<CaRow[]> {
  return db.selectFrom('pki_cas').selectAll().orderBy('created_at').orderBy('id').execute();
}

/**
 * Moves the CRL number on (to `from + 1`, or to an imported CRL's number) only if nobody else did
 * meanwhile (another instance, a racing revocation or import).
 */
export async function advanceCrlNumber(
  tx: Tx,
  caId: string,
  from: number,
  now: string,
  to: number = from + 1,
): Promise<boolean> {
  const result = await tx
    .updateTable('pki_cas')
    .set({ crl_number: to, updated_at: now })
    .where('id', '=', caId)
    .where('crl_number', '=', from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function insertCrl(tx: Tx, row: CrlRow): Promise<void> {
  await tx.insertInto('pki_crls').values(row).execute();
}

export async function latestCrl(db: Kysely<DB>, caId: string): Promise<CrlRow | undefined> {
  return db
    .selectFrom('pki_crls')
    .selectAll()
    .where('ca_id', '=', caId)
    .orderBy('crl_number', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Stores certificates in statements of at most 100 rows (SQLite's bound-parameter limit). */
export async function insertCertificates(tx: Tx, rows: CertificateRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100)
    await tx
      .insertInto('pki_certificates')
      .values(rows.slice(i, i + 100))
      .execute();
}

export async function findCertificate(db: Kysely<DB>, scope: Scope, id: string): Promise<CertificateRow | undefined> {
  const participant = own(scope);
  return db
    .selectFrom('pki_certificates')
    .selectAll()
    .where('id', '=', id)
    .$if(participant !== undefined, (q) => q.where('participant_id', '=', participant!))
    .executeTakeFirst();
}

/** What the OCSP responder needs to know of a certificate, and nothing more. */
export async function revocationStatus(db: Kysely<DB>, caId: string, serial: string) {
  return db
    .selectFrom('pki_certificates')
    .select(['status', 'revoked_at', 'revocation_reason'])
    .where('serial', '=', serial)
    .where('ca_id', '=', caId)
    .executeTakeFirst();
}

export async function findByFingerprint(db: Kysely<DB>, fingerprint: string): Promise<CertificateRow | undefined> {
  return db.selectFrom('pki_certificates').selectAll().where('fingerprint_sha256', '=', fingerprint).executeTakeFirst();
}

export async function keyAlreadyCertified(db: Kysely<DB>, spkiSha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('pki_certificates')
    .select('id')
    .where('spki_sha256', '=', spkiSha256)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface CertificateFilter {
  participantId?: string | undefined;
  profile?: string | undefined;
  status?: CertificateRow['status'] | undefined;
  caId?: string | undefined;
  /** Valid certificates whose notAfter falls before this instant. */
  expiringBefore?: string | undefined;
  limit: number;
  offset: number;
}

export async function listCertificates(
  db: Kysely<DB>,
  scope: Scope,
  filter: CertificateFilter,
): Promise<{ rows: CertificateRow[]; total: number }> {
  const participant = own(scope);
  let query = db
    .selectFrom('pki_certificates')
    .$if(participant !== undefined, (q) => q.where('participant_id', '=', participant!));
  if (filter.participantId !== undefined) query = query.where('participant_id', '=', filter.participantId);
  if (filter.profile !== undefined) query = query.where('profile', '=', filter.profile);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.caId !== undefined) query = query.where('ca_id', '=', filter.caId);
  if (filter.expiringBefore !== undefined)
    query = query.where('status', '=', 'valid').where('not_after', '<=', filter.expiringBefore);
  const rows = await query
    .selectAll()
    .orderBy(filter.expiringBefore !== undefined ? 'not_after' : 'created_at', filter.expiringBefore ? 'asc' : 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  const { total } = await query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
}

export async function revokedOf(db: Kysely<DB>, caId: string): Promise<CertificateRow[]> {
  return db
    .selectFrom('pki_certificates')
    .selectAll()
    .where('ca_id', '=', caId)
    .where('status', '=', 'revoked')
    .orderBy('revoked_at')
    .execute();
}

/** CAs a CA has revoked among those it signed (they go on its CRL). */
export async function revokedChildCas(db: Kysely<DB>, parentId: string): Promise<CaRow[]> {
  return db
    .selectFrom('pki_cas')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('revoked_at', 'is not', null)
    .orderBy('revoked_at')
    .execute();
}

export async function activeChildCas(db: Kysely<DB> | Tx, parentId: string): Promise<CaRow[]> {
  return db
    .selectFrom('pki_cas')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('status', '=', 'active')
    .execute();
}

/** Marks an active CA revoked; false means it was not active (already revoked or retired). */
export async function markCaRevoked(tx: Tx, id: string, at: string, reason: string): Promise<boolean> {
  const result = await tx
    .updateTable('pki_cas')
    .set({ status: 'retired', revoked_at: at, revocation_reason: reason, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks a certificate revoked only if it is still valid; false means someone revoked it first. */
export async function markRevoked(
  tx: Tx,
  id: string,
  change: { revoked_at: string; revocation_reason: string; revoked_by: string },
): Promise<boolean> {
  const result = await tx
    .updateTable('pki_certificates')
    .set({ status: 'revoked', ...change })
    .where('id', '=', id)
    .where('status', '=', 'valid')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function validOfParticipant(db: Kysely<DB>, participantId: string): Promise<CertificateRow[]> {
  return db
    .selectFrom('pki_certificates')
    .selectAll()
    .where('participant_id', '=', participantId)
    .where('status', '=', 'valid')
    .execute();
}

export async function latestResponderCertificate(
  db: Kysely<DB>,
  caId: string,
  now: string,
): Promise<CertificateRow | undefined> {
  return db
    .selectFrom('pki_certificates')
    .selectAll()
    .where('ca_id', '=', caId)
    .where('profile', '=', 'ocsp-signing')
    .where('status', '=', 'valid')
    .where('not_after', '>', now)
    .orderBy('not_after', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Valid certificates within `days` of expiry that have not been announced at this threshold or a
 * smaller one yet.
 */
export async function dueExpiryWarnings(
  db: Kysely<DB>,
  now: string,
  before: string,
  days: number,
): Promise<CertificateRow[]> {
  return (
    db
      .selectFrom('pki_certificates')
      .selectAll()
      .where('status', '=', 'valid')
      .where('not_after', '<=', before)
      .where('not_after', '>', now)
      .where((eb) => eb.or([eb('expiry_warned_days', 'is', null), eb('expiry_warned_days', '>', days)]))
      // Responder and listener certificates renew themselves; announcing them would be noise.
      .where('profile', '!=', 'ocsp-signing')
      .where('key_source', '!=', 'ephemeral')
      .orderBy('not_after')
      .limit(500)
      .execute()
  );
}

export async function markWarned(tx: Tx, id: string, now: string, days: number): Promise<void> {
  await tx
    .updateTable('pki_certificates')
    .set({ expiry_warned_at: now, expiry_warned_days: days })
    .where('id', '=', id)
    .execute();
}

export async function insertEnrolment(tx: Tx, row: EnrolmentRow): Promise<void> {
  await tx.insertInto('pki_enrolments').values(row).execute();
}

export async function findEnrolment(db: Kysely<DB>, scope: Scope, id: string): Promise<EnrolmentRow | undefined> {
  const participant = own(scope);
  return db
    .selectFrom('pki_enrolments')
    .selectAll()
    .where('id', '=', id)
    .$if(participant !== undefined, (q) => q.where('participant_id', '=', participant!))
    .executeTakeFirst();
}

export async function listEnrolments(
  db: Kysely<DB>,
  scope: Scope,
  filter: {
    status?: EnrolmentRow['status'] | undefined;
    participantId?: string | undefined;
    limit: number;
    offset: number;
  },
): Promise<{ rows: EnrolmentRow[]; total: number }> {
  const participant = own(scope);
  let query = db
    .selectFrom('pki_enrolments')
    .$if(participant !== undefined, (q) => q.where('participant_id', '=', participant!));
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.participantId !== undefined) query = query.where('participant_id', '=', filter.participantId);
  const rows = await query
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  const { total } = await query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
}

/** Updates a pending enrolment only if its approvals are still what the caller read (no lost update). */
export async function updatePendingEnrolment(
  tx: Tx,
  id: string,
  expectedApprovals: string,
  change: Partial<EnrolmentRow>,
): Promise<boolean> {
  const result = await tx
    .updateTable('pki_enrolments')
    .set(change)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('approvals', '=', expectedApprovals)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function insertChain(tx: Tx, row: ChainRow): Promise<void> {
  await tx.insertInto('pki_participant_chains').values(row).execute();
}

export async function listChains(db: Kysely<DB>, scope: Scope): Promise<ChainRow[]> {
  const participant = own(scope);
  return db
    .selectFrom('pki_participant_chains')
    .selectAll()
    .$if(participant !== undefined, (q) => q.where('participant_id', '=', participant!))
    .orderBy('created_at', 'desc')
    .execute();
}

/** Of the given SHA-256 fingerprints, those of certificates the hub CA issued and has revoked. */
export async function revokedFingerprints(db: Kysely<DB>, fingerprints: string[]): Promise<Set<string>> {
  if (fingerprints.length === 0) return new Set();
  const rows = await db
    .selectFrom('pki_certificates')
    .select('fingerprint_sha256')
    .where('fingerprint_sha256', 'in', fingerprints)
    .where('status', '=', 'revoked')
    .execute();
  return new Set(rows.map((row) => row.fingerprint_sha256));
}

/** Every certificate the hub CA issued and has not revoked, expired or not: what is in use. */
export async function unrevokedCertificates(db: Kysely<DB>): Promise<CertificateRow[]> {
  return db.selectFrom('pki_certificates').selectAll().where('status', '=', 'valid').execute();
}

/** Stores pre-signed OCSP answers, replacing older ones of the same certificates. */
export async function saveOcspResponses(tx: Tx, rows: OcspResponseRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100)
    await tx
      .insertInto('pki_ocsp_responses')
      .values(rows.slice(i, i + 100))
      .onConflict((oc) =>
        oc.columns(['ca_id', 'serial']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          this_update: eb.ref('excluded.this_update'),
          next_update: eb.ref('excluded.next_update'),
          der: eb.ref('excluded.der'),
        })),
      )
      .execute();
}

export async function deleteOcspResponse(tx: Tx, caId: string, serial: string): Promise<void> {
  await tx.deleteFrom('pki_ocsp_responses').where('ca_id', '=', caId).where('serial', '=', serial).execute();
}

export async function findOcspResponse(
  db: Kysely<DB>,
  caId: string,
  serial: string,
): Promise<OcspResponseRow | undefined> {
  return db
    .selectFrom('pki_ocsp_responses')
    .selectAll()
    .where('ca_id', '=', caId)
    .where('serial', '=', serial)
    .executeTakeFirst();
}

/** Certificates whose pre-signed answer is missing or goes stale before `before` (unexpired ones only). */
export async function certificatesNeedingOcsp(
  db: Kysely<DB>,
  before: string,
  now: string,
  limit: number,
): Promise<CertificateRow[]> {
  return db
    .selectFrom('pki_certificates as c')
    .leftJoin('pki_ocsp_responses as o', (join) =>
      join.onRef('o.ca_id', '=', 'c.ca_id').onRef('o.serial', '=', 'c.serial'),
    )
    .selectAll('c')
    .where('c.not_after', '>', now)
    .where((eb) => eb.or([eb('o.next_update', 'is', null), eb('o.next_update', '<', before)]))
    .orderBy('c.created_at')
    .limit(limit)
    .execute();
}
