import { sql, type Kysely } from 'kysely';

/** The hub PKI: CAs, issued certificates, enrolment requests, CRLs and participants' own chains. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pki_cas')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('root', 'issuing')`))
    .addColumn('parent_id', 'text', (c) => c.references('pki_cas.id'))
    // cpm: the key lives in the CPM and Trustloop signs; external: a trust anchor whose key is elsewhere.
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('cpm', 'external')`))
    .addColumn('key_id', 'text', (c) => c.references('cpm_keys.id'))
    .addColumn('key_version', 'integer')
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('certificate_pem', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('fingerprint_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('path_length', 'integer')
    .addColumn('permitted_dns', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'retired')`))
    .addColumn('crl_number', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('pki_cas_key', sql`(source = 'cpm') = (key_id is not null)`)
    .execute();

  await db.schema
    .createTable('pki_certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('serial', 'text', (c) => c.notNull().unique())
    .addColumn('ca_id', 'text', (c) => c.notNull().references('pki_cas.id'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('dns_names', 'text', (c) => c.notNull())
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('key_strength_bits', 'integer', (c) => c.notNull())
    .addColumn('spki_sha256', 'text', (c) => c.notNull())
    .addColumn('key_source', 'text', (c) => c.notNull().check(sql`key_source in ('csr', 'cpm', 'ephemeral')`))
    .addColumn('key_id', 'text', (c) => c.references('cpm_keys.id'))
    .addColumn('key_version', 'integer')
    .addColumn('fingerprint_sha256', 'text', (c) => c.notNull())
    .addColumn('certificate_pem', 'text', (c) => c.notNull())
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('valid', 'revoked')`))
    .addColumn('revoked_at', 'text')
    .addColumn('revocation_reason', 'text')
    .addColumn('revoked_by', 'text')
    .addColumn('enrolment_id', 'text')
    .addColumn('renews_id', 'text', (c) => c.references('pki_certificates.id'))
    // When the expiry watch last raised an event for it, so each certificate is announced once.
    .addColumn('expiry_warned_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pki_certificates_participant').on('pki_certificates').column('participant_id').execute();
  await db.schema
    .createIndex('pki_certificates_ca_status')
    .on('pki_certificates')
    .columns(['ca_id', 'status'])
    .execute();
  await db.schema.createIndex('pki_certificates_not_after').on('pki_certificates').column('not_after').execute();
  await db.schema.createIndex('pki_certificates_spki').on('pki_certificates').column('spki_sha256').execute();

  await db.schema
    .createTable('pki_enrolments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('ca_id', 'text', (c) => c.notNull().references('pki_cas.id'))
    .addColumn('csr_pem', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('dns_names', 'text', (c) => c.notNull())
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('checks', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'issued', 'rejected')`))
    .addColumn('required_approvals', 'integer', (c) => c.notNull())
    .addColumn('approvals', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('reason', 'text')
    .addColumn('certificate_id', 'text', (c) => c.references('pki_certificates.id'))
    .addColumn('renews_id', 'text', (c) => c.references('pki_certificates.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pki_enrolments_status').on('pki_enrolments').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('pki_crls')
    .addColumn('ca_id', 'text', (c) => c.notNull().references('pki_cas.id'))
    .addColumn('crl_number', 'integer', (c) => c.notNull())
    .addColumn('this_update', 'text', (c) => c.notNull())
    .addColumn('next_update', 'text', (c) => c.notNull())
    .addColumn('der', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pki_crls_pk', ['ca_id', 'crl_number'])
    .execute();

  await db.schema
    .createTable('pki_participant_chains')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('chain_pem', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('root_fingerprint_sha256', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('checks', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
