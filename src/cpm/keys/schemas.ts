import { Type, type Static } from 'typebox';
import { Nullable, literals } from '../../core/schema.js';
import { KEY_PURPOSES, KEY_TYPES } from '../keystore/types.js';

export const KeyTypeSchema = literals(KEY_TYPES);
export const KeyPurposeSchema = literals(KEY_PURPOSES);
export const KeyOperation = literals(['sign', 'verify', 'encrypt', 'decrypt', 'mac', 'verify-mac'] as const);

/** Who may use a key: roles (hub keys) and the owning participant's tokens; for which operations. */
export const KeyPolicy = Type.Object(
  {
    roles: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 10, uniqueItems: true }),
    operations: Type.Array(KeyOperation, { maxItems: 6, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type KeyPolicy = Static<typeof KeyPolicy>;

const KeyName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });

export const CreateKey = Type.Object(
  {
    name: KeyName,
    type: KeyTypeSchema,
    purpose: KeyPurposeSchema,
    ownerParticipantId: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    rotationPeriodDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    policy: Type.Optional(KeyPolicy),
  },
  { additionalProperties: false },
);
export type CreateKey = Static<typeof CreateKey>;

export const UpdateKey = Type.Object(
  {
    status: Type.Optional(literals(['enabled', 'disabled'] as const)),
    minDecryptionVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    rotationPeriodDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3650 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateKey = Static<typeof UpdateKey>;

export const KeyVersionView = Type.Object(
  {
    version: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    destroyedAt: Nullable(Type.String({ format: 'date-time' })),
    hasPublicKey: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const KeyView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: KeyTypeSchema,
    purpose: KeyPurposeSchema,
    backend: Type.String(),
    ownerParticipantId: Nullable(Type.String()),
    policy: KeyPolicy,
    status: Type.String(),
    rotationPeriodDays: Nullable(Type.Integer()),
    latestVersion: Type.Integer(),
    minDecryptionVersion: Type.Integer(),
    destroyAfter: Nullable(Type.String({ format: 'date-time' })),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    lastRotatedAt: Type.String({ format: 'date-time' }),
    origin: literals(['generated', 'imported'] as const),
    ageDays: Type.Integer(),
    rotationDue: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type KeyView = Static<typeof KeyView>;

export const KeyDetail = Type.Object(
  {
    key: KeyView,
    versions: Type.Array(KeyVersionView),
    usage: Type.Record(Type.String(), Type.Integer()),
  },
  { additionalProperties: false },
);

export const KeyList = Type.Object({ items: Type.Array(KeyView) }, { additionalProperties: false });

export const KeyParams = Type.Object(
  { id: Type.String({ pattern: '^key_[a-z2-7]{16}$' }) },
  { additionalProperties: false },
);

export const PublicKeyQuery = Type.Object(
  {
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    format: Type.Optional(literals(['pem', 'jwk'] as const)),
  },
  { additionalProperties: false },
);

export const PublicKeyView = Type.Object(
  {
    keyId: Type.String(),
    version: Type.Integer(),
    pem: Type.Optional(Type.String()),
    jwk: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

export const KeyInventory = Type.Object(
  {
    generatedAt: Type.String({ format: 'date-time' }),
    summary: Type.Object(
      {
        total: Type.Integer(),
        rotationOverdue: Type.Integer(),
        withoutRotationPeriod: Type.Integer(),
        below128Bits: Type.Integer(),
        byBackend: Type.Record(Type.String(), Type.Integer()),
      },
      { additionalProperties: false },
    ),
    keys: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          name: Type.String(),
          type: KeyTypeSchema,
          strengthBits: Type.Integer(),
          status: Type.String(),
          backend: Type.String(),
          owner: Type.String({ description: "'hub' or the owning participant's id" }),
          ageDays: Type.Integer(),
          latestVersion: Type.Integer(),
          lastRotatedAt: Type.String({ format: 'date-time' }),
          rotationPeriodDays: Nullable(Type.Integer()),
          rotationCompliant: Nullable(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type KeyInventory = Static<typeof KeyInventory>;
