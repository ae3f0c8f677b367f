import { sql, type Kysely } from 'kysely';

/** BYOK: keys can come from outside, wrapped for a one-time import key of the CPM. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('cpm_keys')
    .addColumn('origin', 'text', (c) =>
      c
        .notNull()
        .defaultTo('generated')
        .check(sql`origin in ('generated', 'imported')`),
    )
    .execute();

  // One row per set of import parameters: an RSA wrapping key in the keystore, used at most once.
  await db.schema
    .createTable('cpm_import_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('backend', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('material', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.references('participants.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
}
