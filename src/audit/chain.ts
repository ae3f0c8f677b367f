import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
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
  const canonical = canonicalJson({
    v: CHAIN_FORMAT,
    seq: row.seq,
    id: row.id,
    time: row.time,
    service: row.service,
    host: row.host,
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    actor_role: row.actor_role,
    action: row.action,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    outcome: row.outcome,
    error_code: row.error_code,
    request_id: row.request_id,
    source_ip: row.source_ip,
    user_agent: row.user_agent,
    participant_id: row.participant_id,
    details: row.details,
    prev_hash: row.prev_hash,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export type ChainBreak = 'missing-event' | 'unexpected-sequence' | 'hash-mismatch' | 'previous-hash-mismatch';

export interface ChainState {
  /** The sequence number the next row must carry. */
  nextSeq: number;
  lastHash: string;
}

export const initialChainState = (): ChainState => ({ nextSeq: 1, lastHash: GENESIS_HASH });

/**
 * Checks one row against the chain so far. Returns the break, or undefined and advances `state`.
 * Sequence numbers start at 1 and have no gaps, so a deleted row shows as a missing number.
 */
export function checkLink(state: ChainState, row: AuditRow): { seq: number; reason: ChainBreak } | undefined {
  if (row.seq > state.nextSeq) return { seq: state.nextSeq, reason: 'missing-event' };
  if (row.seq < state.nextSeq) return { seq: row.seq, reason: 'unexpected-sequence' };
  if (hashEvent(row) !== row.hash) return { seq: row.seq, reason: 'hash-mismatch' };
  if (row.prev_hash !== state.lastHash) return { seq: row.seq, reason: 'previous-hash-mismatch' };
  state.nextSeq = row.seq + 1;
  state.lastHash = row.hash;
  return undefined;
}
