import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

/** Controls: imported catalogs, the responsibility matrix, assessments, snapshots and evidence. */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  // Built-in catalogs live in catalogs/ as YAML; only imported ones are stored, as their parsed draft.
  await db.schema
    .createTable('controls_catalogs')
    .addColumn('urn', 'text', (c) => c.primaryKey())
    .addColumn('framework', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('imported_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('controls_participant_profiles')
    .addColumn('participant_id', 'text', (c) => c.primaryKey().references('participants.id'))
    // 1 when the participant runs on the hub's hosted service and so inherits the hub's controls.
    .addColumn('hosted', 'integer', (c) => c.notNull().check(sql`hosted in (0, 1)`))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // scope '*' is the scheme-wide default; otherwise a participant's own override.
  await db.schema
    .createTable('controls_responsibility')
    .addColumn('catalog_urn', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('party', 'text', (c) =>
      c.notNull().check(sql`party in ('hub', 'participant', 'shared', 'not-applicable')`),
    )
    .addColumn('hub_duty', 'text')
    .addColumn('participant_duty', 'text')
    .addColumn('reason', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('controls_responsibility_pk', ['catalog_urn', 'ref', 'scope'])
    .execute();

  await db.schema
    .createTable('controls_assessments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('catalog_urn', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'signed-off')`))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('due_date', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('signed_off_at', 'text')
    .addColumn('signed_off_by', 'text')
    .execute();
  await db.schema
    .createIndex('controls_assessments_scope')
    .on('controls_assessments')
    .columns(['participant_id', 'catalog_urn'])
    .execute();

  await db.schema
    .createTable('controls_assessment_items')
    .addColumn('assessment_id', 'text', (c) => c.notNull().references('controls_assessments.id'))
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) =>
      c
        .notNull()
        .check(sql`result in ('not-assessed', 'compliant', 'partially-compliant', 'non-compliant', 'not-applicable')`),
    )
    .addColumn('justification', 'text')
    .addColumn('evidence_ids', 'text', (c) => c.notNull())
    .addColumn('assessor', 'text')
    .addColumn('reviewer', 'text')
    .addColumn('due_date', 'text')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('manual', 'collector')`))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('controls_assessment_items_pk', ['assessment_id', 'ref'])
    .execute();

  await db.schema
    .createTable('controls_snapshots')
    .addColumn('assessment_id', 'text', (c) => c.notNull().references('controls_assessments.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('taken_by', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('items', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('controls_snapshots_pk', ['assessment_id', 'version'])
    .execute();

  await db.schema
    .createTable('controls_evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('file', 'link', 'automated')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('file_name', 'text')
    .addColumn('media_type', 'text')
    .addColumn('size_bytes', 'integer')
    .addColumn('sha256', 'text')
    .addColumn('content', engine === 'postgres' ? sql`bytea` : 'blob')
    .addColumn('collector', 'text')
    .addColumn('result', 'text', (c) => c.check(sql`result in ('pass', 'fail')`))
    .addColumn('data', 'text')
    .addColumn('requirement_urns', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .execute();
  await db.schema
    .createIndex('controls_evidence_collector')
    .on('controls_evidence')
    .columns(['collector', 'participant_id', 'created_at'])
    .execute();
}
