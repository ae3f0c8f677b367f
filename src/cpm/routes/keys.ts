import { Type } from 'typebox';
import type { Api } from '../../core/http.js';
import type { KeyService } from '../keys/service.js';
import {
  CreateKey,
  KeyDetail,
  KeyInventory,
  KeyList,
  KeyParams,
  KeyView,
  PublicKeyQuery,
  PublicKeyView,
  UpdateKey,
} from '../keys/schemas.js';

const tags = ['keys'];

export function keyRoutes(app: Api, keys: KeyService): void {
  app.get(
    '/api/v1/keys',
    {
      config: { access: { permission: 'keys:read' } },
      schema: { tags, summary: 'Key inventory visible to the caller', response: { 200: KeyList } },
    },
    async (request) => ({ items: await keys.list(request.ctx) }),
  );

  app.get(
    '/api/v1/keys/inventory',
    {
      config: { access: { permission: 'keys:read' } },
      schema: {
        tags,
        summary: 'Key inventory report: strength, age, rotation compliance, backend, owner',
        response: { 200: KeyInventory },
      },
    },
    (request) => keys.inventory(request.ctx),
  );

  app.post(
    '/api/v1/keys',
    {
      config: { access: { permission: 'keys:write' } },
      schema: {
        tags,
        summary: 'Create a key; version 1 is generated inside the keystore',
        body: CreateKey,
        response: { 201: KeyView },
      },
    },
    async (request, reply) => reply.code(201).send(await keys.create(request.ctx, request.body)),
  );

  app.get(
    '/api/v1/keys/:id',
    {
      config: { access: { permission: 'keys:read' } },
      schema: {
        tags,
        summary: 'A key with its versions and usage counts',
        params: KeyParams,
        response: { 200: KeyDetail },
      },
    },
    (request) => keys.detail(request.ctx, request.params.id),
  );

  app.patch(
    '/api/v1/keys/:id',
    {
      config: { access: { permission: 'keys:write' } },
      schema: {
        tags,
        summary: 'Enable or disable a key, set its minimum decryption version or rotation period',
        params: KeyParams,
        body: UpdateKey,
        response: { 200: KeyView },
      },
    },
    (request) => keys.update(request.ctx, request.params.id, request.body),
  );

  app.post(
    '/api/v1/keys/:id/rotate',
    {
      config: { access: { permission: 'keys:write' } },
      schema: {
        tags,
        summary: 'Generate a new version; new operations use it',
        params: KeyParams,
        response: { 200: KeyView },
      },
    },
    (request) => keys.rotate(request.ctx, request.params.id),
  );

  app.post(
    '/api/v1/keys/:id/schedule-destruction',
    {
      config: { access: { permission: 'keys:write' } },
      schema: {
        tags,
        summary: 'Stop using a key now and destroy it after a waiting period (1-30 days, default 7)',
        params: KeyParams,
        body: Type.Object(
          { waitingPeriodDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })) },
          { additionalProperties: false },
        ),
        response: { 200: KeyView },
      },
    },
    (request) => keys.scheduleDestruction(request.ctx, request.params.id, request.body.waitingPeriodDays ?? 7),
  );

  app.post(
    '/api/v1/keys/:id/cancel-destruction',
    {
      config: { access: { permission: 'keys:write' } },
      schema: {
        tags,
        summary: 'Cancel a scheduled destruction; the key comes back disabled',
        params: KeyParams,
        response: { 200: KeyView },
      },
    },
    (request) => keys.cancelDestruction(request.ctx, request.params.id),
  );

  app.post(
    '/api/v1/keys/:id/destroy',
    {
      config: { access: { permission: 'keys:write' } },
      schema: {
        tags,
        summary: 'Destroy every version once the waiting period is over (metadata and audit remain)',
        params: KeyParams,
        response: { 200: KeyView },
      },
    },
    (request) => keys.destroy(request.ctx, request.params.id),
  );

  app.get(
    '/api/v1/keys/:id/public-key',
    {
      config: { access: { permission: 'keys:read' } },
      schema: {
        tags,
        summary: 'The public half of an asymmetric key version, as PEM or JWK',
        params: KeyParams,
        querystring: PublicKeyQuery,
        response: { 200: PublicKeyView },
      },
    },
    (request) => keys.publicKey(request.ctx, request.params.id, request.query.version, request.query.format ?? 'pem'),
  );
}
