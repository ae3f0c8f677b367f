import { sql, type Kysely } from 'kysely';

/** The Cryptographic Processing Module: its keystore, keys and key versions. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row: how the keystore was initialised. The master key itself is never stored.
  await db.schema
    .createTable('cpm_keystore')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('backend', 'text', (c) => c.notNull().check(sql`backend in ('software', 'pkcs11')`))
    .addColumn('shares', 'integer', (c) => c.notNull())
    .addColumn('threshold', 'integer', (c) => c.notNull())
    // AES-256-GCM of a fixed text under the master key: proves a reconstruction is the right key.
    .addColumn('verifier', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cpm_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('backend', 'text', (c) => c.notNull())
    .addColumn('owner_participant_id', 'text', (c) => c.references('participants.id'))
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('enabled', 'disabled', 'destroy-scheduled', 'destroyed')`),
    )
    .addColumn('rotation_period_days', 'integer')
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('min_decryption_version', 'integer', (c) => c.notNull())
    .addColumn('destroy_after', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_rotated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cpm_keys_owner').on('cpm_keys').column('owner_participant_id').execute();

  await db.schema
    .createTable('cpm_key_versions')
    .addColumn('key_id', 'text', (c) => c.notNull().references('cpm_keys.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // Software: the key wrapped under the master key; PKCS#11: the token object's label.
    .addColumn('material', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('destroyed_at', 'text')
    .addPrimaryKeyConstraint('cpm_key_versions_pk', ['key_id', 'version'])
    .execute();

  // Usage counts per key come from the audit trail rather than a counter written on every operation.
  await db.schema
    .createIndex('audit_events_resource')
    .on('audit_events')
    .columns(['resource_type', 'resource_id', 'action'])
    .execute();
}
