import { Type } from 'typebox';
import { Nullable } from '../../core/schema.js';
import type { Api } from '../../core/http.js';
import { permissionsOf } from '../permissions.js';
import type { SessionService } from './service.js';

const tags = ['access'];
export const SESSION_COOKIE = 'tl_session';
export const CSRF_COOKIE = 'tl_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const Whoami = Type.Object(
  {
    actor: Type.Object(
      { type: Type.String(), id: Type.String(), role: Nullable(Type.String()), participantId: Nullable(Type.String()) },
      { additionalProperties: false },
    ),
    permissions: Type.Array(Type.String()),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

const Login = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export function sessionRoutes(app: Api, sessions: SessionService, rateLimitPerMinute: number): void {
  app.post(
    '/api/v1/session',
    {
      config: { access: { public: true }, rateLimit: { max: rateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags,
        summary: 'Exchange an API token for an HttpOnly session cookie (web UI login)',
        body: Login,
        response: { 200: Whoami },
      },
    },
    async (request, reply) => {
      const started = await sessions.start(request.ctx, request.body.token);
      const secure = request.protocol === 'https';
      const expires = new Date(started.expiresAt);
      reply
        .setCookie(SESSION_COOKIE, started.cookie, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires })
        .setCookie(CSRF_COOKIE, started.csrfToken, { httpOnly: false, sameSite: 'strict', secure, path: '/', expires })
        .header('cache-control', 'no-store');
      return {
        actor: started.actor,
        permissions: permissionsOf(started.actor.role ?? ''),
        expiresAt: started.expiresAt,
      };
    },
  );

  app.get(
    '/api/v1/session',
    {
      config: { access: { permission: 'session:read' } },
      schema: { tags, summary: 'Who the caller is and what it may do', response: { 200: Whoami } },
    },
    (request) => ({
      actor: request.ctx.actor,
      permissions: permissionsOf(request.ctx.actor.role ?? ''),
      expiresAt: request.sessionExpiresAt,
    }),
  );

  app.delete(
    '/api/v1/session',
    {
      config: { access: { permission: 'session:read' } },
      schema: { tags, summary: 'Log out: end the UI session', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      if (request.sessionId !== null) await sessions.end(request.ctx, request.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );
}
