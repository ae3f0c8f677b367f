import type { Kysely } from 'kysely';
import type { Scope } from '../core/context.js';
import type { Tx } from '../core/db/database.js';
import type {
  ControlsAssessmentItemsTable,
  ControlsAssessmentsTable,
  ControlsEvidenceTable,
  ControlsResponsibilityTable,
  ControlsSnapshotsTable,
  DB,
} from '../core/db/schema.js';

export type AssessmentRow = ControlsAssessmentsTable;
export type ItemRow = ControlsAssessmentItemsTable;
export type EvidenceRow = ControlsEvidenceTable;
export type ResponsibilityRow = ControlsResponsibilityTable;
export type SnapshotRow = ControlsSnapshotsTable;

/** A participant-scoped caller matches only rows of its own participant, whatever the route asked. */
const own = (scope: Scope): string | undefined => (scope.kind === 'participant' ? scope.participantId : undefined);

export const SCHEME_DEFAULT = '*';

export async function responsibilityRows(
  db: Kysely<DB>,
  catalogUrn: string,
  scopes: string[],
): Promise<ResponsibilityRow[]> {
  if (scopes.length === 0) return [];
  return db
    .selectFrom('controls_responsibility')
    .selectAll()
    .where('catalog_urn', '=', catalogUrn)
    .where('scope', 'in', scopes)
    .execute();
}

export async function upsertResponsibility(tx: Tx, row: ResponsibilityRow): Promise<void> {
  await tx
    .insertInto('controls_responsibility')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['catalog_urn', 'ref', 'scope']).doUpdateSet({
        party: row.party,
        hub_duty: row.hub_duty,
        participant_duty: row.participant_duty,
        reason: row.reason,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
      }),
    )
    .execute();
}

export async function deleteResponsibility(tx: Tx, catalogUrn: string, ref: string, scope: string): Promise<boolean> {
  const result = await tx
    .deleteFrom('controls_responsibility')
    .where('catalog_urn', '=', catalogUrn)
    .where('ref', '=', ref)
    .where('scope', '=', scope)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function hostedParticipants(db: Kysely<DB>): Promise<Set<string>> {
  const rows = await db
    .selectFrom('controls_participant_profiles')
    .select('participant_id')
    .where('hosted', '=', 1)
    .execute();
  return new Set(rows.map((row) => row.participant_id));
}

export async function setHosted(tx: Tx, participantId: string, hosted: boolean, now: string): Promise<void> {
  await tx
    .insertInto('controls_participant_profiles')
    .values({ participant_id: participantId, hosted: hosted ? 1 : 0, updated_at: now })
    .onConflict((oc) => oc.column('participant_id').doUpdateSet({ hosted: hosted ? 1 : 0, updated_at: now }))
    .execute();
}

export async function insertAssessment(tx: Tx, row: AssessmentRow, items: ItemRow[]): Promise<void> {
  await tx.insertInto('controls_assessments').values(row).execute();
  // Chunks keep each statement under both engines' bound-parameter limits.
  for (let i = 0; i < items.length; i += 500) {
    await tx
      .insertInto('controls_assessment_items')
      .values(items.slice(i, i + 500))
      .execute();
  }
}

export async function findAssessment(db: Kysely<DB>, scope: Scope, id: string): Promise<AssessmentRow | undefined> {
  const participant = own(scope);
  return db
    .selectFrom('controls_assessments')
    .selectAll()
    .where('id', '=', id)
    .$if(participant !== undefined, (q) => q.where('participant_id', '=', participant!))
    .executeTakeFirst();
}

export interface AssessmentFilter {
  participantId?: string | undefined;
  catalogUrn?: string | undefined;
}

export async function listAssessments(
  db: Kysely<DB>,
  scope: Scope,
  filter: AssessmentFilter,
): Promise<AssessmentRow[]> {
  const participant = own(scope);
  let query = db.selectFrom('controls_assessments').selectAll();
  if (participant !== undefined) query = query.where('participant_id', '=', participant);
  if (filter.participantId !== undefined) query = query.where('participant_id', '=', filter.participantId);
  if (filter.catalogUrn !== undefined) query = query.where('catalog_urn', '=', filter.catalogUrn);
  return query.orderBy('created_at', 'desc').orderBy('id').limit(1000).execute();
}

export async function itemsOf(db: Kysely<DB>, assessmentIds: string[]): Promise<ItemRow[]> {
  if (assessmentIds.length === 0) return [];
  return db.selectFrom('controls_assessment_items').selectAll().where('assessment_id', 'in', assessmentIds).execute();
}

export async function updateItem(
  tx: Tx,
  assessmentId: string,
  ref: string,
  changes: Partial<ItemRow>,
): Promise<boolean> {
  const result = await tx
    .updateTable('controls_assessment_items')
    .set(changes)
    .where('assessment_id', '=', assessmentId)
    .where('ref', '=', ref)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function updateAssessment(tx: Tx, id: string, changes: Partial<AssessmentRow>): Promise<void> {
  await tx.updateTable('controls_assessments').set(changes).where('id', '=', id).execute();
}

export async function insertSnapshot(tx: Tx, row: SnapshotRow): Promise<void> {
  await tx.insertInto('controls_snapshots').values(row).execute();
}

export async function snapshotsOf(db: Kysely<DB>, assessmentId: string): Promise<SnapshotRow[]> {
  return db
    .selectFrom('controls_snapshots')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .orderBy('version')
    .execute();
}

export async function insertEvidence(tx: Tx, row: EvidenceRow): Promise<void> {
  await tx.insertInto('controls_evidence').values(row).execute();
}

const EVIDENCE_COLUMNS = [
  'id',
  'participant_id',
  'kind',
  'title',
  'url',
  'file_name',
  'media_type',
  'size_bytes',
  'sha256',
  'collector',
  'result',
  'data',
  'requirement_urns',
  'created_at',
  'created_by',
  'expires_at',
] as const;
export type EvidenceMeta = Omit<EvidenceRow, 'content'>;

export async function findEvidence(db: Kysely<DB>, scope: Scope, ids: string[]): Promise<EvidenceMeta[]> {
  if (ids.length === 0) return [];
  const participant = own(scope);
  return db
    .selectFrom('controls_evidence')
    .select(EVIDENCE_COLUMNS)
    .where('id', 'in', ids)
    .$if(participant !== undefined, (q) => q.where('participant_id', '=', participant!))
    .execute();
}

export async function evidenceContent(db: Kysely<DB>, scope: Scope, id: string): Promise<EvidenceRow | undefined> {
  const participant = own(scope);
  return db
    .selectFrom('controls_evidence')
    .selectAll()
    .where('id', '=', id)
    .$if(participant !== undefined, (q) => q.where('participant_id', '=', participant!))
    .executeTakeFirst();
}

export async function listEvidence(
  db: Kysely<DB>,
  scope: Scope,
  filter: { participantId?: string | undefined; kind?: EvidenceRow['kind'] | undefined; limit: number },
): Promise<EvidenceMeta[]> {
  const participant = own(scope);
  let query = db.selectFrom('controls_evidence').select(EVIDENCE_COLUMNS);
  if (participant !== undefined) query = query.where('participant_id', '=', participant);
  if (filter.participantId !== undefined) query = query.where('participant_id', '=', filter.participantId);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  return query.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute();
}

/** The newest automated record of every collector for the given participants. */
export async function latestAutomated(db: Kysely<DB>, participantIds: string[] | null): Promise<EvidenceMeta[]> {
  let latest = db
    .selectFrom('controls_evidence')
    .select(['collector', 'participant_id'])
    .select((eb) => eb.fn.max('created_at').as('created_at'))
    .where('kind', '=', 'automated')
    .groupBy(['collector', 'participant_id']);
  if (participantIds !== null)
    latest = latest.where('participant_id', 'in', participantIds.length ? participantIds : ['']);
  return db
    .selectFrom('controls_evidence as e')
    .innerJoin(latest.as('l'), (join) =>
      join
        .onRef('l.collector', '=', 'e.collector')
        .onRef('l.participant_id', '=', 'e.participant_id')
        .onRef('l.created_at', '=', 'e.created_at'),
    )
    .select(EVIDENCE_COLUMNS.map((column) => `e.${column}` as const))
    .execute();
}

/** The DFSPs a caller may see (a participant token: only its own), by id. */
export async function dfspParticipants(db: Kysely<DB>, scope: Scope): Promise<{ id: string; name: string }[]> {
  const participant = own(scope);
  return db
    .selectFrom('participants')
    .select(['id', 'name'])
    .where('kind', '=', 'dfsp')
    .$if(participant !== undefined, (q) => q.where('id', '=', participant!))
    .orderBy('id')
    .execute();
}
