import { sql, type Kysely } from 'kysely';
import type { Scope } from '../../core/context.js';
import type { Tx } from '../../core/db/database.js';
import type { CpmImportTokensTable, CpmKeysTable, CpmKeyVersionsTable, DB } from '../../core/db/schema.js';

export type KeyRow = CpmKeysTable;
export type KeyVersionRow = CpmKeyVersionsTable;

/** A participant-scoped caller only ever matches keys its participant owns. */
const ownedBy = (scope: Scope): string | undefined => (scope.kind === 'participant' ? scope.participantId : undefined);

export async function insertKey(tx: Tx, key: KeyRow, version: KeyVersionRow): Promise<void> {
  await tx.insertInto('cpm_keys').values(key).execute();
  await tx.insertInto('cpm_key_versions').values(version).execute();
}

export async function findKey(db: Kysely<DB>, scope: Scope, id: string): Promise<KeyRow | undefined> {
  const owner = ownedBy(scope);
  return db
    .selectFrom('cpm_keys')
    .selectAll()
    .where('id', '=', id)
    .$if(owner !== undefined, (q) => q.where('owner_participant_id', '=', owner!))
    .executeTakeFirst();
}

export async function listKeys(db: Kysely<DB>, scope: Scope): Promise<KeyRow[]> {
  const owner = ownedBy(scope);
  return db
    .selectFrom('cpm_keys')
    .selectAll()
    .$if(owner !== undefined, (q) => q.where('owner_participant_id', '=', owner!))
    .orderBy('name')
    .execute();
}

export async function listVersions(db: Kysely<DB>, keyId: string): Promise<KeyVersionRow[]> {
  return db.selectFrom('cpm_key_versions').selectAll().where('key_id', '=', keyId).orderBy('version').execute();
}

export async function findVersion(db: Kysely<DB>, keyId: string, version: number): Promise<KeyVersionRow | undefined> {
  return db
    .selectFrom('cpm_key_versions')
    .selectAll()
    .where('key_id', '=', keyId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function addVersion(tx: Tx, version: KeyVersionRow, at: string): Promise<void> {
  await tx.insertInto('cpm_key_versions').values(version).execute();
  await tx
    .updateTable('cpm_keys')
    .set({ latest_version: version.version, last_rotated_at: at, updated_at: at })
    .where('id', '=', version.key_id)
    .execute();
}

export async function updateKey(tx: Tx, id: string, changes: Partial<KeyRow>): Promise<void> {
  await tx.updateTable('cpm_keys').set(changes).where('id', '=', id).execute();
}

export async function markVersionsDestroyed(tx: Tx, keyId: string, at: string): Promise<void> {
  await tx
    .updateTable('cpm_key_versions')
    .set({ material: '', destroyed_at: at })
    .where('key_id', '=', keyId)
    .execute();
}

const OPERATION_ACTIONS = [
  'key.sign',
  'key.verify',
  'key.encrypt',
  'key.decrypt',
  'key.datakey',
  'key.rewrap',
  'key.mac',
  'key.verify-mac',
];

/** How often each cryptographic operation succeeded on a key, read from the audit trail. */
export async function usageCounts(db: Kysely<DB>, keyId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['action', sql<number | string>`count(*)`.as('count')])
    .where('resource_type', '=', 'key')
    .where('resource_id', '=', keyId)
    .where('outcome', '=', 'success')
    .where('action', 'in', OPERATION_ACTIONS)
    .groupBy('action')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.action.replace(/^key\./, ''), Number(row.count)]));
}

export type ImportTokenRow = CpmImportTokensTable;

export async function insertImportToken(tx: Tx, token: ImportTokenRow): Promise<void> {
  await tx.insertInto('cpm_import_tokens').values(token).execute();
}

/**
 * Marks an import token used and returns it, in one statement so two imports cannot share it;
 * undefined when it is unknown, used, expired, or another participant's.
 */
export async function claimImportToken(
  db: Kysely<DB>,
  claim: { id: string; participantId: string | null; now: string },
): Promise<ImportTokenRow | undefined> {
  return db
    .updateTable('cpm_import_tokens')
    .set({ used_at: claim.now })
    .where('id', '=', claim.id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', claim.now)
    .where((eb) =>
      claim.participantId === null ? eb('participant_id', 'is', null) : eb('participant_id', '=', claim.participantId),
    )
    .returningAll()
    .executeTakeFirst();
}

export async function expiredImportTokens(db: Kysely<DB>, now: string): Promise<ImportTokenRow[]> {
  return db
    .selectFrom('cpm_import_tokens')
    .selectAll()
    .where('used_at', 'is', null)
    .where('expires_at', '<=', now)
    .execute();
}

export async function deleteImportToken(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('cpm_import_tokens').where('id', '=', id).execute();
}
