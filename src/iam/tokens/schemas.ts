import { Type } from 'typebox';
import { Nullable } from '../../core/schema.js';
import { ROLES } from '../permissions.js';

export const RoleName = Type.Union(ROLES.map((role) => Type.Literal(role)));

export const TokenView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    role: Type.String(),
    participantId: Nullable(Type.String()),
    preview: Type.String({ description: 'redacted form; the secret is never shown again' }),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
    lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
    revokedAt: Nullable(Type.String({ format: 'date-time' })),
    revokedBy: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const CreateToken = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    role: RoleName,
    participantId: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, default: 90 })),
  },
  { additionalProperties: false },
);

export const CreatedToken = Type.Object(
  { token: Type.String({ description: 'shown once; store it now' }), tokenInfo: TokenView },
  { additionalProperties: false },
);

export const TokenList = Type.Object({ items: Type.Array(TokenView) }, { additionalProperties: false });

export const TokenQuery = Type.Object(
  { includeRevoked: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
);

export const TokenParams = Type.Object(
  { id: Type.String({ pattern: '^tok_[a-z2-7]{16}$' }) },
  { additionalProperties: false },
);
