import { Type, type TProperties, type TSchema } from 'typebox';
import type { Api } from '../../core/http.js';
import { KeyParams } from '../keys/schemas.js';
import type { CryptoService } from '../ops/service.js';
import type { SignatureAlgorithm } from '../keystore/types.js';

const tags = ['key operations'];
const access = { access: { permission: 'keys:use' } };
const Base64 = (description: string) =>
  Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 1_400_000, description: `${description} (base64)` });
const Versioned = (description: string) =>
  Type.String({
    pattern: '^tl:v[1-9][0-9]{0,6}:[A-Za-z0-9_-]+$',
    maxLength: 1_400_000,
    description: `${description} (tl:v<version>:<base64url>)`,
  });
const Algorithm = Type.Unsafe<SignatureAlgorithm>(
  Type.Union(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'].map((a) => Type.Literal(a))),
);
const SignMode = {
  algorithm: Type.Optional(Algorithm),
  prehashed: Type.Optional(
    Type.Boolean({ description: 'input is the SHA-256 (ES384: SHA-384) digest of the message; RS256, ES256, ES384' }),
  ),
};
const Valid = Type.Object({ valid: Type.Boolean(), keyVersion: Type.Integer() }, { additionalProperties: false });
const body = <T extends TProperties>(properties: T) => Type.Object(properties, { additionalProperties: false });
const Signed = body({ signature: Type.String(), algorithm: Type.String(), keyVersion: Type.Integer() });
const Encrypted = body({ ciphertext: Type.String(), keyVersion: Type.Integer() });
const Decrypted = body({ plaintext: Type.String({ description: 'base64' }), keyVersion: Type.Integer() });
const SignInput = { input: Base64('data to sign') };
const VerifyInput = { input: Base64('signed data'), signature: Versioned('signature') };
const EncryptInput = {
  plaintext: Base64('plaintext'),
  aad: Type.Optional(Base64('additional authenticated data')),
};
const DecryptInput = {
  ciphertext: Versioned('ciphertext'),
  aad: Type.Optional(Base64('additional authenticated data')),
};
const ItemError = body({ error: body({ code: Type.String(), message: Type.String() }) });
const MAX_BATCH = 1000;
/** A batch body (`items`, plus `extra` fields for the whole batch) and its response. */
const batchOf = <I extends TProperties, R extends TSchema, E extends TProperties = Record<never, never>>(
  item: I,
  result: R,
  extra?: E,
) => ({
  body: body({ ...(extra ?? ({} as E)), items: Type.Array(body(item), { minItems: 1, maxItems: MAX_BATCH }) }),
  response: { 200: body({ results: Type.Array(Type.Union([result, ItemError])) }) },
});
const bytes = (text: string) => Buffer.from(text, 'base64');
const optionalBytes = (text: string | undefined) => (text === undefined ? undefined : bytes(text));

export function operationRoutes(app: Api, crypto: CryptoService): void {
  app.post(
    '/api/v1/keys/:id/sign',
    {
      config: access,
      schema: {
        tags,
        summary: 'Sign data with the latest version (RS256, PS256, ES256, ES384, EdDSA)',
        params: KeyParams,
        body: body({ ...SignInput, ...SignMode }),
        response: { 200: Signed },
      },
    },
    (request) => crypto.sign(request.ctx, request.params.id, bytes(request.body.input), request.body),
  );

  app.post(
    '/api/v1/keys/:id/verify',
    {
      config: access,
      schema: {
        tags,
        summary: 'Verify a signature made by any version not below the minimum',
        params: KeyParams,
        body: body({ ...VerifyInput, ...SignMode }),
        response: { 200: Valid },
      },
    },
    (request) =>
      crypto.verify(request.ctx, request.params.id, bytes(request.body.input), request.body.signature, request.body),
  );

  app.post(
    '/api/v1/keys/:id/encrypt',
    {
      config: access,
      schema: {
        tags,
        summary: 'Encrypt with the latest version (AES-256-GCM with optional AAD, or RSA-OAEP-256)',
        params: KeyParams,
        body: body(EncryptInput),
        response: { 200: Encrypted },
      },
    },
    (request) =>
      crypto.encrypt(request.ctx, request.params.id, bytes(request.body.plaintext), optionalBytes(request.body.aad)),
  );

  app.post(
    '/api/v1/keys/:id/decrypt',
    {
      config: access,
      schema: {
        tags,
        summary: 'Decrypt with the version the ciphertext names',
        params: KeyParams,
        body: body(DecryptInput),
        response: { 200: Decrypted },
      },
    },
    async (request) =>
      asBase64(
        await crypto.decrypt(request.ctx, request.params.id, request.body.ciphertext, optionalBytes(request.body.aad)),
      ),
  );

  batchRoutes(app, crypto);

  app.post(
    '/api/v1/keys/:id/datakey',
    {
      config: access,
      schema: {
        tags,
        summary: 'A 256-bit envelope data key: wrapped under this key, and in plaintext unless wrappedOnly',
        params: KeyParams,
        body: body({ wrappedOnly: Type.Optional(Type.Boolean({ default: false })) }),
        response: {
          200: body({
            ciphertext: Type.String(),
            keyVersion: Type.Integer(),
            plaintext: Type.Optional(Type.String({ description: 'base64; use once, never store' })),
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await crypto.dataKey(request.ctx, request.params.id, !(request.body.wrappedOnly ?? false));
      return reply.header('cache-control', 'no-store').send(result);
    },
  );

  app.post(
    '/api/v1/keys/:id/rewrap',
    {
      config: access,
      schema: {
        tags,
        summary: 'Re-encrypt a ciphertext under the latest version; the plaintext never leaves the CPM',
        params: KeyParams,
        body: body({
          ciphertext: Versioned('ciphertext'),
          aad: Type.Optional(Base64('additional authenticated data')),
        }),
        response: { 200: body({ ciphertext: Type.String(), keyVersion: Type.Integer() }) },
      },
    },
    (request) =>
      crypto.rewrap(request.ctx, request.params.id, request.body.ciphertext, optionalBytes(request.body.aad)),
  );

  app.post(
    '/api/v1/random',
    {
      config: access,
      schema: {
        tags,
        summary: 'Random bytes from the CSPRNG (1-1024)',
        body: body({ bytes: Type.Integer({ minimum: 1, maximum: 1024 }) }),
        response: { 200: body({ random: Type.String({ description: 'base64' }) }) },
      },
    },
    async (request, reply) => {
      const random = await crypto.random(request.ctx, request.body.bytes);
      return reply.header('cache-control', 'no-store').send({ random: random.toString('base64') });
    },
  );

  app.post(
    '/api/v1/keys/:id/mac',
    {
      config: access,
      schema: {
        tags,
        summary: 'HMAC-SHA256 with the latest version',
        params: KeyParams,
        body: body({ input: Base64('data') }),
        response: { 200: body({ mac: Type.String(), keyVersion: Type.Integer() }) },
      },
    },
    (request) => crypto.mac(request.ctx, request.params.id, bytes(request.body.input)),
  );

  app.post(
    '/api/v1/keys/:id/verify-mac',
    {
      config: access,
      schema: {
        tags,
        summary: 'Check an HMAC in constant time',
        params: KeyParams,
        body: body({ input: Base64('data'), mac: Versioned('mac') }),
        response: { 200: Valid },
      },
    },
    (request) => crypto.verifyMac(request.ctx, request.params.id, bytes(request.body.input), request.body.mac),
  );
}

const asBase64 = ({ plaintext, keyVersion }: { plaintext: Buffer; keyVersion: number }) => ({
  plaintext: plaintext.toString('base64'),
  keyVersion,
});

const schema = <B extends { body: TSchema; response: { 200: TSchema } }>(summary: string, batch: B) => ({
  tags,
  summary: `${summary} (up to ${MAX_BATCH} items; each item's result or error in its place)`,
  params: KeyParams,
  ...batch,
});

function batchRoutes(app: Api, crypto: CryptoService): void {
  app.post(
    '/api/v1/keys/:id/sign/batch',
    {
      config: access,
      schema: schema('Sign many inputs', batchOf(SignInput, Signed, SignMode)),
    },
    async (request) => ({
      results: await crypto.signBatch(
        request.ctx,
        request.params.id,
        request.body.items.map((item) => bytes(item.input)),
        request.body,
      ),
    }),
  );

  app.post(
    '/api/v1/keys/:id/verify/batch',
    {
      config: access,
      schema: schema('Verify many signatures', batchOf(VerifyInput, Valid, SignMode)),
    },
    async (request) => ({
      results: await crypto.verifyBatch(
        request.ctx,
        request.params.id,
        request.body.items.map((item) => ({ input: bytes(item.input), signature: item.signature })),
        request.body,
      ),
    }),
  );

  app.post(
    '/api/v1/keys/:id/encrypt/batch',
    { config: access, schema: schema('Encrypt many plaintexts', batchOf(EncryptInput, Encrypted)) },
    async (request) => ({
      results: await crypto.encryptBatch(
        request.ctx,
        request.params.id,
        request.body.items.map((item) => ({ plaintext: bytes(item.plaintext), aad: optionalBytes(item.aad) })),
      ),
    }),
  );

  app.post(
    '/api/v1/keys/:id/decrypt/batch',
    { config: access, schema: schema('Decrypt many ciphertexts', batchOf(DecryptInput, Decrypted)) },
    async (request) => ({
      results: (
        await crypto.decryptBatch(
          request.ctx,
          request.params.id,
          request.body.items.map((item) => ({ ciphertext: item.ciphertext, aad: optionalBytes(item.aad) })),
        )
      ).map((result) => ('error' in result ? result : asBase64(result))),
    }),
  );
}
