import { TrustloopError } from './errors.js';

/** Who is acting. Every service call carries one, and every audit event records it. */
export interface Actor {
  type: 'token' | 'session' | 'certificate' | 'cli' | 'system' | 'anonymous';
  /** Token id, certificate id (mTLS), OS user for the CLI, or a fixed name for the system. */
  id: string;
  role: string | null;
  /** Set only for participant-bound tokens: the one participant this actor may see. */
  participantId: string | null;
}

/** The request an action belongs to: what the audit standard calls device, session and source. */
export interface RequestContext {
  actor: Actor;
  requestId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  /** The web UI session the request came through: the audit standard's terminal session. */
  sessionId: string | null;
  /** Which Trustloop surface served the action: `api` or `cli`. */
  service: 'api' | 'cli' | 'system';
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'trustloop', role: null, participantId: null };

export const systemContext = (): RequestContext => ({
  actor: SYSTEM_ACTOR,
  requestId: null,
  sourceIp: null,
  userAgent: null,
  sessionId: null,
  service: 'system',
});

/**
 * Which participants' data an actor may touch. Stores apply it in their WHERE clauses, so a
 * participant token cannot reach another participant's rows even through a route that forgot.
 */
export type Scope = { kind: 'all' } | { kind: 'participant'; participantId: string };

export function scopeOf(actor: Actor): Scope {
  if (actor.participantId !== null) return { kind: 'participant', participantId: actor.participantId };
  // Fail closed: a participant role without its participant sees nothing rather than everything.
  if (actor.role === 'participant')
    throw new TrustloopError('ERR_FORBIDDEN', 'participant token is not bound to a participant');
  return { kind: 'all' };
}
