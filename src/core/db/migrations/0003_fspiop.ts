import { sql, type Kysely } from 'kysely';

/** FSPIOP message security: the participants' JWS and JWE certificates. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fspiop_certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('use', 'text', (c) => c.notNull().check(sql`use in ('sig', 'enc')`))
    .addColumn('pem', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    // When the owner retires it (immediately or at the end of a rotation overlap); null: not retiring.
    .addColumn('retire_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('fspiop_certificates_once', ['participant_id', 'use', 'fingerprint'])
    .execute();
  await db.schema
    .createIndex('fspiop_certificates_participant')
    .on('fspiop_certificates')
    .columns(['participant_id', 'use'])
    .execute();
}
