import { Type } from 'typebox';
import type { App } from '../app.js';
import type { Api } from '../core/http.js';
import { TrustloopError } from '../core/errors.js';
import type { Metrics } from './metrics.js';

const tags = ['operations'];
const Status = Type.Object({ status: Type.String() }, { additionalProperties: false });
const Health = Type.Object(
  { status: Type.String(), keystore: Type.Union([Type.Literal('sealed'), Type.Literal('unsealed')]) },
  { additionalProperties: false },
);

/** Liveness, readiness, Prometheus metrics and the OpenAPI document. */
export function operationalRoutes(app: Api, trustloop: App, metrics: Metrics, openapi: () => unknown): void {
  const publicRate = { max: trustloop.config.publicRateLimitPerMinute * 10, timeWindow: 60_000 };

  app.get(
    '/healthz',
    {
      config: { access: { public: true }, rateLimit: publicRate },
      schema: {
        tags,
        summary: 'Liveness: the process answers; whether the keystore is sealed',
        response: { 200: Health },
      },
    },
    async () => ({ status: 'ok', keystore: trustloop.keystore.sealed ? ('sealed' as const) : ('unsealed' as const) }),
  );

  app.get(
    '/readyz',
    {
      config: { access: { public: true }, rateLimit: publicRate },
      schema: { tags, summary: 'Readiness: the database answers', response: { 200: Status } },
    },
    async () => {
      try {
        await trustloop.database.ping();
      } catch (error) {
        throw new TrustloopError('ERR_UNAVAILABLE', 'the database is not reachable', { cause: error });
      }
      return { status: 'ready' };
    },
  );

  app.get(
    '/metrics',
    {
      config: { access: { permission: 'metrics:read' } },
      schema: { tags, summary: 'Prometheus metrics (text exposition format)', response: { 200: Type.String() } },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()),
  );

  app.get(
    '/openapi.json',
    {
      config: { access: { public: true }, rateLimit: publicRate },
      schema: { tags, summary: 'This API as an OpenAPI 3.1 document', hide: true },
    },
    async () => openapi(),
  );
}
