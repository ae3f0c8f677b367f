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
  // One-shot hash(): verification hashes every event, and it costs half of createHash().update().digest().
  return hash('sha256', canonicalEvent(row));
}

/** The exact text `hashEvent` hashes (as UTF-8): the event's canonical JSON with the format version. */
export function canonicalEvent(row: Omit<AuditRow, 'hash'>): string {
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
    prev_hash: row.prev_hash,
    request_id: row.request_id,
    resource_id: row.resource_id,
    resource_type: row.resource_type,
    seq: row.seq,
    service: row.service,
    session_id: row.session_id,
    source_ip: row.source_ip,
    time: row.time,
    user_agent: row.user_agent,
    v: CHAIN_FORMAT,
  });
}

export type ChainBreak = 'missing-event' | 'hash-mismatch' | 'previous-hash-mismatch';
