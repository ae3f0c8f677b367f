import { sql, type Kysely } from 'kysely';
import type { Database, Engine, Tx } from '../core/db/database.js';
import type { AuditEventsTable, DB } from '../core/db/schema.js';
import { COLUMNS, GENESIS_HASH, type ChainHead } from './chain.js';

export type AuditRow = AuditEventsTable;

/** Any constant: the PostgreSQL advisory lock that serialises appends to the chain. */
const CHAIN_LOCK = 7_270_001;

/** Locks the chain for this transaction and returns its last link. */
export async function lockHead(tx: Tx, engine: Engine): Promise<ChainHead> {
  // SQLite needs no lock: every write transaction already holds the database's write lock.
  if (engine === 'postgres') await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(tx);
  const last = await tx
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last ?? { seq: 0, hash: GENESIS_HASH };
}

export async function insertRows(tx: Tx, rows: AuditRow[]): Promise<void> {
  // Keep each statement under SQLite's bound-parameter limit (20 columns × 500 rows).
  for (let i = 0; i < rows.length; i += 500) {
    await tx
      .insertInto('audit_events')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

export interface AuditFilter {
  action?: string | undefined;
  actorId?: string | undefined;
  participantId?: string | undefined;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  outcome?: AuditRow['outcome'] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Keyset pagination, newest first: only events with a smaller sequence number. */
  beforeSeq?: number | undefined;
  limit: number;
}

export async function listRows(db: Kysely<DB>, filter: AuditFilter): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_events').selectAll();
  if (filter.action !== undefined) {
    const prefix = filter.action.endsWith('.*') ? filter.action.slice(0, -1) : undefined;
    query =
      prefix === undefined
        ? query.where('action', '=', filter.action)
        : query.where(sql<string>`substr(action, 1, ${prefix.length})`, '=', prefix);
  }
  if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
  if (filter.participantId !== undefined) query = query.where('participant_id', '=', filter.participantId);
  if (filter.resourceType !== undefined) query = query.where('resource_type', '=', filter.resourceType);
  if (filter.resourceId !== undefined) query = query.where('resource_id', '=', filter.resourceId);
  if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
  if (filter.from !== undefined) query = query.where('time', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('time', '<', filter.to);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  return query.orderBy('seq', 'desc').limit(filter.limit).execute();
}

export async function headSeq(db: Kysely<DB>): Promise<number> {
  const head = await db.selectFrom('audit_events').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return head?.seq ?? 0;
}

export async function getRow(db: Kysely<DB>, seq: number): Promise<AuditRow | undefined> {
  return db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirst();
}

/**
 * Rows `after` < seq ≤ `upTo` in sequence order, in pages, so a chain of millions is read in
 * bounded memory. Each page is a bounded key range rather than a LIMIT, so no query plan (even one
 * made without statistics) can turn a page into a scan of the rest of the table. Rows arrive as
 * arrays (see `Database.selectArrays`) and become objects here, far cheaper than driver objects.
 * A page of 2,000 rows is let go while still in V8's young generation.
 */
export async function* scanRows(
  database: Database,
  range: { after: number; upTo: number },
  pageSize = 2000,
): AsyncGenerator<AuditRow[]> {
  for (let after = range.after; after < range.upTo; after += pageSize) {
    const query = database.db
      .selectFrom('audit_events')
      .select(COLUMNS)
      .where('seq', '>', after)
      .where('seq', '<=', Math.min(after + pageSize, range.upTo))
      .orderBy('seq', 'asc')
      .compile();
    const page = (await database.selectArrays(query)).map(toAuditRow);
    if (page.length > 0) yield page;
  }
}

function toAuditRow(values: unknown[]): AuditRow {
  const [seq, id, time, service, host, actor_type, actor_id, actor_role, action, resource_type, resource_id] = values;
  const [outcome, error_code, request_id, source_ip, user_agent, session_id, participant_id, details, prev_hash, hash] =
    values.slice(11);
  return {
    seq,
    id,
    time,
    service,
    host,
    actor_type,
    actor_id,
    actor_role,
    action,
    resource_type,
    resource_id,
    outcome,
    error_code,
    request_id,
    source_ip,
    user_agent,
    session_id,
    participant_id,
    details,
    prev_hash,
    hash,
  } as AuditRow;
}
