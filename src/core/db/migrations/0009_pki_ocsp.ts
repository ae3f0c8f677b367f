import { sql, type Kysely } from 'kysely';

/**
 * Pre-signed OCSP answers (one per certificate, signed at issuance and revocation, refreshed before
 * nextUpdate), revocation of a CA by its parent (listed on the parent's CRL), the registry of
 * each participant's own DNS domains, against which certificate names are checked, and requests
 * for an issuing CA whose key is in the CPM to be signed by an external (imported) CA.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pki_cas').addColumn('revoked_at', 'text').execute();
  await db.schema.alterTable('pki_cas').addColumn('revocation_reason', 'text').execute();

  await db.schema
    .createTable('pki_ocsp_responses')
    .addColumn('ca_id', 'text', (c) => c.notNull().references('pki_cas.id'))
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('this_update', 'text', (c) => c.notNull())
    .addColumn('next_update', 'text', (c) => c.notNull())
    // The DER OCSPResponse (SHA-1 CertID, no nonce), base64.
    .addColumn('der', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pki_ocsp_responses_pk', ['ca_id', 'serial'])
    .execute();
  await db.schema
    .createTable('pki_ca_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('parent_id', 'text', (c) => c.notNull().references('pki_cas.id'))
    .addColumn('key_id', 'text', (c) => c.notNull().references('cpm_keys.id'))
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('csr_pem', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'completed')`))
    .addColumn('ca_id', 'text', (c) => c.references('pki_cas.id'))
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('pki_participant_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('registered_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pki_participant_domains_participant')
    .on('pki_participant_domains')
    .column('participant_id')
    .execute();
  await db.schema
    .createIndex('pki_ocsp_responses_next_update')
    .on('pki_ocsp_responses')
    .column('next_update')
    .execute();
}
