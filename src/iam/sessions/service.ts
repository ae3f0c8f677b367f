import type { AuditService } from '../../audit/service.js';
import { isoNow, systemClock, type Clock } from '../../core/clock.js';
import type { Actor, RequestContext } from '../../core/context.js';
import type { Database } from '../../core/db/database.js';
import { ID_PATTERN, newId } from '../../core/ids.js';
import { DECOY_HASH, hashSecret, isWellFormedSecret, newSecret, secretMatches } from '../secrets.js';
import { actorOf, type TokenService } from '../tokens/service.js';
import { findToken } from '../tokens/store.js';
import { endSession, findSession, insertSession, type SessionRow } from './store.js';

const ID_REGEX = new RegExp(ID_PATTERN);

export interface StartedSession {
  /** Cookie value `<session id>.<secret>`; HttpOnly, so page scripts never see it. */
  cookie: string;
  /**
   * Given to the page in a readable cookie; the page echoes it in `x-csrf-token` on every
   * state-changing request, and it is checked against the hash kept with the session.
   */
  csrfToken: string;
  expiresAt: string;
  actor: Actor;
}

export interface ActiveSession {
  id: string;
  actor: Actor;
  expiresAt: string;
  csrfHash: string;
}

/**
 * Browser sessions: a token is exchanged once for an HttpOnly cookie, so the token does not live
 * in page storage, and a per-session CSRF secret guards every unsafe request made with the cookie.
 */
export class SessionService {
  constructor(
    private readonly database: Database,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly ttlMinutes: number,
    private readonly clock: Clock = systemClock,
  ) {}

  async start(ctx: RequestContext, presentedToken: string): Promise<StartedSession> {
    let authenticated: Awaited<ReturnType<TokenService['authenticate']>>;
    try {
      authenticated = await this.tokens.authenticate(presentedToken);
    } catch (error) {
      await this.audit.record(ctx, {
        action: 'session.login',
        resource: { type: 'session' },
        outcome: 'denied',
        errorCode: 'ERR_UNAUTHENTICATED',
      });
      throw error;
    }
    const { row: token } = authenticated;
    const secret = newSecret();
    const csrfToken = newSecret();
    const now = this.clock.now();
    const ttlEnd = new Date(now.getTime() + this.ttlMinutes * 60_000).toISOString();
    const session: SessionRow = {
      id: newId('ses'),
      token_id: token.id,
      secret_hash: hashSecret(secret),
      csrf_hash: hashSecret(csrfToken),
      created_at: now.toISOString(),
      expires_at: token.expires_at !== null && token.expires_at < ttlEnd ? token.expires_at : ttlEnd,
      revoked_at: null,
    };
    const actor = actorOf(token, 'session');
    await this.database.transaction(async (tx) => {
      await insertSession(tx, session);
      await this.audit.append(
        tx,
        { ...ctx, actor },
        {
          action: 'session.login',
          resource: { type: 'session', id: session.id },
        },
      );
    });
    return { cookie: `${session.id}.${secret}`, csrfToken, expiresAt: session.expires_at, actor };
  }

  /** The live session behind a cookie value, or undefined; expired sessions and revoked tokens end it. */
  async resolve(cookie: string): Promise<ActiveSession | undefined> {
    const [id, secret, extra] = cookie.split('.');
    const wellFormed =
      extra === undefined &&
      id !== undefined &&
      ID_REGEX.test(id) &&
      secret !== undefined &&
      isWellFormedSecret(secret);
    const session = wellFormed ? await findSession(this.database.db, id) : undefined;
    const matches = secretMatches(wellFormed ? secret : 'x', session?.secret_hash ?? DECOY_HASH);
    if (!session || !matches || session.revoked_at !== null || session.expires_at <= isoNow(this.clock))
      return undefined;
    const token = await findToken(this.database.db, session.token_id);
    if (!token || !this.tokens.isUsable(token)) return undefined;
    return {
      id: session.id,
      actor: actorOf(token, 'session'),
      expiresAt: session.expires_at,
      csrfHash: session.csrf_hash,
    };
  }

  async end(ctx: RequestContext, sessionId: string): Promise<void> {
    await this.database.transaction(async (tx) => {
      await endSession(tx, sessionId, isoNow(this.clock));
      await this.audit.append(tx, ctx, { action: 'session.logout', resource: { type: 'session', id: sessionId } });
    });
  }

  csrfMatches(session: ActiveSession, presented: string | undefined): boolean {
    return presented !== undefined && isWellFormedSecret(presented) && secretMatches(presented, session.csrfHash);
  }
}
