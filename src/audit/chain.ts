import { hash } from 'node:crypto';
import { canonicalJsonOfSortedRecord } from '../core/canonical-json.js';
import type { AuditEventsTable } from '../core/db/schema.js';

/** The `prev_hash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Version of the hashed form, part of every hash so the form can evolve (e.g. for Merkle leaves)
 * without re-hashing history.
 */
export const CHAIN_FORMAT = 1;

export type AuditRow = AuditEventsTable;

/**
 * SHA-256 over the RFC 8785 canonical JSON of every column but `hash` itself. Because `seq` and
 * `prev_hash` are inside, an edited, deleted, inserted or reordered row breaks the chain.
 */
export function hashEvent(row: Omit<AuditRow, 'hash'>): string {
  return hashLink(row, row.seq, row.prev_hash);
}

/** `hashEvent` of `row` placed at `seq` after `prevHash`, without building that row first. */
export function hashLink(row: UnlinkedRow, seq: number, prevHash: string): string {
  // One-shot hash(): verification hashes every event, and it costs half of createHash().update().digest().
  return hash('sha256', canonicalLink(row, seq, prevHash));
}

/** The exact text `hashEvent` hashes (as UTF-8): the event's canonical JSON with the format version. */
export function canonicalEvent(row: Omit<AuditRow, 'hash'>): string {
  return canonicalLink(row, row.seq, row.prev_hash);
}

function canonicalLink(row: UnlinkedRow, seq: number, prevHash: string): string {
  // Keys written in RFC 8785 order so canonicalJsonOfSortedRecord takes its fast path; same bytes either way.
  return canonicalJsonOfSortedRecord({
    action: row.action,
    actor_id: row.actor_id,
    actor_role: row.actor_role,
    actor_type: row.actor_type,
    details: row.details,
    error_code: row.error_code,
    host: row.host,
    id: row.id,
    outcome: row.outcome,
    participant_id: row.participant_id,
    prev_hash: prevHash,
    request_id: row.request_id,
    resource_id: row.resource_id,
    resource_type: row.resource_type,
    seq,
    service: row.service,
    session_id: row.session_id,
    source_ip: row.source_ip,
    time: row.time,
    user_agent: row.user_agent,
    v: CHAIN_FORMAT,
  });
}

/** An event as the caller's side builds it: everything but its place in the chain. */
export type UnlinkedRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;

/** The chain's last link, or the genesis before the first event. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Gives each row its sequence number and previous hash after `head`, and hashes it. */
export function linkRows(rows: UnlinkedRow[], head: ChainHead): AuditRow[] {
  let prevHash = head.hash;
  return rows.map((row, index) => {
    const seq = head.seq + index + 1;
    const linked = { ...row, seq, prev_hash: prevHash, hash: hashLink(row, seq, prevHash) };
    prevHash = linked.hash;
    return linked;
  });
}

/** The columns in table order, which is also the order of the arrays `scanRows` reads. */
export const COLUMNS = [
  'seq',
  'id',
  'time',
  'service',
  'host',
  'actor_type',
  'actor_id',
  'actor_role',
  'action',
  'resource_type',
  'resource_id',
  'outcome',
  'error_code',
  'request_id',
  'source_ip',
  'user_agent',
  'session_id',
  'participant_id',
  'details',
  'prev_hash',
  'hash',
] as const satisfies readonly (keyof AuditRow)[];

/** The columns a caller fills in, in table order: between `seq` and `prev_hash`, `hash`. */
export const UNLINKED_COLUMNS = COLUMNS.slice(1, -2) as readonly (keyof UnlinkedRow)[];

export type ChainBreak = 'missing-event' | 'hash-mismatch' | 'previous-hash-mismatch';
