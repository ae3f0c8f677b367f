import { Type, type Static } from 'typebox';
import { Nullable, literals } from '../core/schema.js';
import { FspId } from '../participants/schemas.js';

const KeyId = Type.String({ pattern: '^key_[a-z2-7]{16}$', description: 'a CPM key id' });

export const HttpRequest = Type.Object(
  {
    method: Type.String({ pattern: '^[A-Za-z]{1,16}$', description: 'HTTP method, e.g. POST' }),
    uri: Type.String({
      pattern: '^/[\\x21-\\x7e]*$',
      maxLength: 2048,
      description: 'path and query exactly as in the request line, e.g. /quotes',
    }),
    headers: Type.Record(
      Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$" }),
      Type.String({ maxLength: 32_768 }),
      {
        maxProperties: 64,
        description: 'HTTP headers; names are case-insensitive',
      },
    ),
    body: Type.String({ maxLength: 1_048_576, description: 'the body exactly as sent (UTF-8 JSON text)' }),
  },
  { additionalProperties: false },
);
export type HttpRequest = Static<typeof HttpRequest>;

export const SignBody = Type.Object(
  {
    keyId: KeyId,
    algorithm: Type.Optional(literals(['RS256', 'PS256', 'ES256'] as const)),
    request: HttpRequest,
  },
  { additionalProperties: false },
);

export const SignResult = Type.Object(
  {
    headers: Type.Object(
      { 'FSPIOP-Signature': Type.String(), 'FSPIOP-URI': Type.String(), 'FSPIOP-HTTP-Method': Type.String() },
      { additionalProperties: false, description: 'add these to the request' },
    ),
    protectedHeader: Type.Record(Type.String(), Type.String()),
    keyVersion: Type.Integer(),
  },
  { additionalProperties: false },
);

export const VerifyBody = Type.Object({ request: HttpRequest }, { additionalProperties: false });

export const VerifyResult = Type.Object(
  {
    valid: Type.Literal(true),
    source: Type.String(),
    destination: Nullable(Type.String()),
    algorithm: Type.String(),
    certificateId: Type.String(),
  },
  { additionalProperties: false, description: 'a failed verification is a 400 problem naming the reason' },
);

const FieldName = Type.String({ pattern: '^[A-Za-z0-9_]{1,128}(\\.[A-Za-z0-9_]{1,128}){0,15}$', maxLength: 512 });

export const EncryptBody = Type.Object(
  {
    recipient: FspId,
    body: Type.String({ maxLength: 1_048_576, description: 'the JSON body in clear' }),
    fields: Type.Array(FieldName, {
      minItems: 1,
      maxItems: 64,
      description: 'e.g. payer, payee.partyIdInfo.partyIdentifier',
    }),
  },
  { additionalProperties: false },
);

export const EncryptResult = Type.Object(
  {
    body: Type.String({ description: 'the body with each field replaced by its ciphertext; sign this' }),
    headers: Type.Object({ 'FSPIOP-Encryption': Type.String() }, { additionalProperties: false }),
    certificateId: Type.String(),
  },
  { additionalProperties: false },
);

export const DecryptBody = Type.Object(
  {
    keyId: KeyId,
    body: Type.String({ maxLength: 1_048_576 }),
    encryption: Type.String({ minLength: 1, maxLength: 65_536, description: 'the FSPIOP-Encryption header value' }),
  },
  { additionalProperties: false },
);

export const DecryptResult = Type.Object(
  { body: Type.String(), fields: Type.Array(Type.String()), keyVersion: Type.Integer() },
  { additionalProperties: false },
);

const JsonObject = Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 64 });
const Base64Url = (description: string, maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength, description });

export const IlpQuoteBody = Type.Object(
  {
    keyId: Type.String({
      pattern: '^key_[a-z2-7]{16}$',
      description: "an hmac-sha256 CPM key: the payee's ILP secret",
    }),
    quoteRequest: JsonObject,
    quoteResponse: JsonObject,
  },
  { additionalProperties: false },
);
export const IlpQuoteResult = Type.Object(
  { ilpPacket: Type.String(), condition: Type.String() },
  { additionalProperties: false },
);

export const IlpFulfilBody = Type.Object(
  { keyId: KeyId, ilpPacket: Base64Url('ILP v4 Prepare packet', 65_536) },
  { additionalProperties: false },
);
export const IlpFulfilResult = Type.Object(
  { fulfilment: Type.String(), condition: Type.String() },
  { additionalProperties: false },
);

export const IlpCheckBody = Type.Object(
  { fulfilment: Base64Url('32-byte fulfilment', 43), condition: Base64Url('32-byte condition', 43) },
  { additionalProperties: false },
);
export const IlpCheckResult = Type.Object({ valid: Type.Boolean() }, { additionalProperties: false });

export const IlpDecodeBody = Type.Object(
  { ilpPacket: Base64Url('ILP v4 Prepare packet', 65_536) },
  { additionalProperties: false },
);
export const IlpDecodeResult = Type.Object(
  {
    amount: Type.String(),
    destination: Type.String(),
    expiresAt: Type.String(),
    condition: Type.String(),
    transaction: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);

export const CertificateUse = literals(['sig', 'enc'] as const);

export const UploadCertificate = Type.Object(
  {
    participantId: FspId,
    use: Type.Optional(CertificateUse),
    pem: Type.String({ minLength: 1, maxLength: 16_384, description: 'one X.509 certificate, PEM' }),
    retirePreviousAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'end of the rotation overlap: the currently valid certificates of this use retire then',
      }),
    ),
  },
  { additionalProperties: false },
);
export type UploadCertificate = Static<typeof UploadCertificate>;

export const CertificateView = Type.Object(
  {
    id: Type.String(),
    participantId: Type.String(),
    use: CertificateUse,
    status: literals(['pending', 'active', 'retiring', 'retired', 'expired'] as const),
    subject: Type.String(),
    serial: Type.String(),
    fingerprint: Type.String({ description: 'SHA-256 of the DER, hex' }),
    keyType: Type.String(),
    notBefore: Type.String({ format: 'date-time' }),
    notAfter: Type.String({ format: 'date-time' }),
    retireAt: Nullable(Type.String({ format: 'date-time' })),
    createdAt: Type.String({ format: 'date-time' }),
    pem: Type.String(),
  },
  { additionalProperties: false },
);
export type CertificateView = Static<typeof CertificateView>;

export const CertificateList = Type.Object({ items: Type.Array(CertificateView) }, { additionalProperties: false });

export const CertificateQuery = Type.Object(
  { participantId: Type.Optional(FspId), use: Type.Optional(CertificateUse) },
  { additionalProperties: false },
);

export const CertificateParams = Type.Object(
  { id: Type.String({ pattern: '^fsc_[a-z2-7]{16}$' }) },
  { additionalProperties: false },
);

export const RetireBody = Type.Object(
  { at: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })) },
  { additionalProperties: false },
);

export const JwksParams = Type.Object({ id: FspId }, { additionalProperties: false });
export const JwksQuery = Type.Object({ use: Type.Optional(CertificateUse) }, { additionalProperties: false });
export const Jwks = Type.Object(
  { keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) },
  { additionalProperties: false },
);
