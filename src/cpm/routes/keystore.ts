import { Type } from 'typebox';
import { Nullable } from '../../core/schema.js';
import type { Api } from '../../core/http.js';
import type { KeystoreCeremony } from '../keystore/ceremony.js';

const tags = ['keystore'];

const SealStatus = Type.Object(
  {
    backend: Type.String(),
    initialized: Type.Boolean(),
    sealed: Type.Boolean(),
    threshold: Nullable(Type.Integer()),
    shares: Nullable(Type.Integer()),
    progress: Type.Integer(),
  },
  { additionalProperties: false },
);

export function keystoreRoutes(app: Api, ceremony: KeystoreCeremony): void {
  app.get(
    '/api/v1/keystore',
    {
      config: { access: { permission: 'keystore:read' } },
      schema: { tags, summary: 'Keystore backend and seal status', response: { 200: SealStatus } },
    },
    () => ceremony.status(),
  );

  app.post(
    '/api/v1/keystore/init',
    {
      config: { access: { permission: 'keystore:manage' } },
      schema: {
        tags,
        summary: 'Create the master key and split it into custodian shares (returned once)',
        body: Type.Object(
          { shares: Type.Integer({ minimum: 2, maximum: 10 }), threshold: Type.Integer({ minimum: 2, maximum: 10 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ shares: Type.Array(Type.String()) }, { additionalProperties: false }) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ shares: await ceremony.init(request.ctx, request.body) }),
  );

  app.post(
    '/api/v1/keystore/unseal',
    {
      config: { access: { permission: 'keystore:manage' } },
      schema: {
        tags,
        summary: 'Present one custodian share; the keystore opens at the threshold',
        body: Type.Object({ share: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: SealStatus },
      },
    },
    (request) => ceremony.unseal(request.ctx, request.body.share),
  );

  app.post(
    '/api/v1/keystore/seal',
    {
      config: { access: { permission: 'keystore:manage' } },
      schema: {
        tags,
        summary: 'Forget the master key: every key operation stops until the next unseal',
        response: { 200: SealStatus },
      },
    },
    (request) => ceremony.seal(request.ctx),
  );
}
