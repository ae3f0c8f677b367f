import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RequestContext } from './context.js';

/**
 * What each route must declare: the permission it needs, or that it is deliberately public.
 * The server refuses to start a route that declares neither (deny by default).
 */
export type RouteAccess = { permission: string } | { public: true };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Who is calling and from where; set by the authentication hook before any handler runs. */
    ctx: RequestContext;
    /** Set when the caller authenticated with the UI session cookie. */
    sessionId: string | null;
    sessionExpiresAt: string | null;
  }
}

/** The Fastify instance type every domain's routes plugin receives. */
export type Api = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** RFC 9457 problem details, with Trustloop's stable error code. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
