import type { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.js';
import type { RequestContext } from '../core/context.js';
import { TrustloopError } from '../core/errors.js';
import { roleAllows, type Permission } from '../iam/permissions.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../iam/sessions/routes.js';
import { FixedWindowCounter } from './throttle.js';

const ANONYMOUS = { type: 'anonymous', id: 'anonymous', role: null, participantId: null } as const;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function baseContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return {
    actor: ANONYMOUS,
    requestId: request.id,
    sourceIp: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    sessionId: null,
    service: 'api',
  };
}

/**
 * Runs before body parsing on every route: who is calling (bearer token or UI session cookie),
 * whether the route lets them in, and, for cookie sessions, the CSRF check. A refusal is written
 * to the audit trail before the answer leaves; if that write fails the request fails with 503.
 */
export function authenticateRequest(app: App, by: 'token' | 'certificate' = 'token') {
  const failures = new FixedWindowCounter();
  const limit = app.config.publicRateLimitPerMinute;
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.ctx = baseContext(request);
    request.sessionId = null;
    request.sessionExpiresAt = null;
    const access = request.routeOptions.config.access;
    // Unknown paths are answered by the not-found handler, which reveals nothing and serves the UI.
    if (request.is404 || (access !== undefined && 'public' in access)) return;
    try {
      await (by === 'certificate' ? identifyByCertificate(app, request) : identify(app, request));
      if (!access) throw new TrustloopError('ERR_FORBIDDEN', 'this route grants no access');
      if (!roleAllows(request.ctx.actor.role, access.permission as Permission)) {
        throw new TrustloopError('ERR_FORBIDDEN', `your role does not grant '${access.permission}'`);
      }
    } catch (error) {
      if (!(error instanceof TrustloopError)) throw error;
      // Failed authentication is rate-limited per address: it bounds token guessing and keeps an
      // anonymous flood from growing the audit trail without end. The first refusal is audited.
      const count = error.code === 'ERR_UNAUTHENTICATED' ? failures.hit(request.ip) : 0;
      const throttled = count > limit;
      const refusal = throttled
        ? new TrustloopError('ERR_RATE_LIMITED', 'too many failed authentications from this address; retry in a minute')
        : error;
      if (count <= limit + 1) await auditDenial(app, request, refusal, access);
      throw refusal;
    }
  };
}

async function identify(app: App, request: FastifyRequest): Promise<void> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer ([^\s]{1,200})$/.exec(authorization);
    if (!match) throw new TrustloopError('ERR_UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    request.ctx.actor = (await app.tokens.authenticate(match[1]!)).actor;
    return;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  const session = cookie ? await app.sessions.resolve(cookie) : undefined;
  if (!session) throw new TrustloopError('ERR_UNAUTHENTICATED', 'send "Authorization: Bearer <token>" or log in');
  if (!SAFE_METHODS.has(request.method)) {
    const presented = request.headers[CSRF_HEADER];
    if (!app.sessions.csrfMatches(session, typeof presented === 'string' ? presented : undefined)) {
      throw new TrustloopError(
        'ERR_CSRF',
        `state-changing requests from the UI must carry a valid ${CSRF_HEADER} header`,
      );
    }
  }
  request.ctx.actor = session.actor;
  request.ctx.sessionId = session.id;
  request.sessionId = session.id;
  request.sessionExpiresAt = session.expiresAt;
}

/**
 * On the mTLS listener the TLS handshake has already required a client certificate from a hub CA
 * and checked it against the CRLs; here it is mapped to its participant, and refused if it was
 * revoked since the listener last loaded the CRLs.
 */
async function identifyByCertificate(app: App, request: FastifyRequest): Promise<void> {
  const socket = request.raw.socket as TLSSocket;
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  if (!socket.authorized || !peer?.raw)
    throw new TrustloopError('ERR_UNAUTHENTICATED', 'present a client certificate issued by the hub');
  request.ctx.actor = await app.pki.actorForCertificate(peer.raw);
}

async function auditDenial(
  app: App,
  request: FastifyRequest,
  error: TrustloopError,
  access: { permission: string } | undefined,
): Promise<void> {
  await app.audit.record(request.ctx, {
    action: 'access.denied',
    resource: {
      type: 'route',
      id: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`.slice(0, 200),
    },
    outcome: 'denied',
    errorCode: error.code,
    details: { permission: access?.permission ?? null, reason: error.message },
  });
}
