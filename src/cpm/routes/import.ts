import { Type } from 'typebox';
import type { Api } from '../../core/http.js';
import { IMPORT_ALGORITHMS } from '../keystore/import.js';
import { literals } from '../../core/schema.js';
import type { KeyImportService } from '../keys/import.js';
import { CreateKey, KeyParams, KeyView } from '../keys/schemas.js';

const tags = ['keys'];
const access = { access: { permission: 'keys:write' } };

const Wrapped = {
  importToken: Type.String({ pattern: '^imp_[a-z2-7]{16}$' }),
  wrappedKey: Type.String({
    pattern: '^[A-Za-z0-9+/]*={0,2}$',
    minLength: 4,
    maxLength: 16_384,
    description: 'base64 of RSA-OAEP(AES-256 key) ‖ AES key wrap with padding (RFC 5649) of the key material',
  }),
  publicKey: Type.Optional(
    Type.String({ minLength: 1, maxLength: 4096, description: 'SPKI PEM of an asymmetric key, checked against it' }),
  ),
};

const ImportParameters = Type.Object(
  {
    importToken: Type.String(),
    algorithm: literals(IMPORT_ALGORITHMS),
    wrappingKeyType: Type.String(),
    publicKey: Type.String({ description: 'SPKI PEM of the one-time RSA import key' }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const wrappedOf = (body: { importToken: string; wrappedKey: string; publicKey?: string }) => ({
  importToken: body.importToken,
  wrappedKey: Buffer.from(body.wrappedKey, 'base64'),
  publicKey: body.publicKey,
});

export function keyImportRoutes(app: Api, imports: KeyImportService): void {
  app.post(
    '/api/v1/keys/import-parameters',
    {
      config: access,
      schema: {
        tags,
        summary: 'One-time parameters to import a key (BYOK): an RSA-3072 public key to wrap it for',
        response: { 201: ImportParameters },
      },
    },
    async (request, reply) => reply.code(201).send(await imports.parameters(request.ctx)),
  );

  app.post(
    '/api/v1/keys/import',
    {
      config: access,
      schema: {
        tags,
        summary: 'Create a key from externally generated material, unwrapped inside the keystore',
        body: Type.Object({ ...CreateKey.properties, ...Wrapped }, { additionalProperties: false }),
        response: { 201: KeyView },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await imports.importKey(request.ctx, request.body, wrappedOf(request.body))),
  );

  app.post(
    '/api/v1/keys/:id/import-version',
    {
      config: access,
      schema: {
        tags,
        summary: "Rotate an imported key by importing its next version's material",
        params: KeyParams,
        body: Type.Object(Wrapped, { additionalProperties: false }),
        response: { 200: KeyView },
      },
    },
    (request) => imports.importVersion(request.ctx, request.params.id, wrappedOf(request.body)),
  );
}
