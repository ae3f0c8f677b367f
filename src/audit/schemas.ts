import { Type, type Static } from 'typebox';
import { Nullable } from '../core/schema.js';

const Outcome = Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failure')]);
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const AuditEvent = Type.Object(
  {
    seq: Type.Integer(),
    id: Type.String(),
    time: Type.String({ format: 'date-time' }),
    service: Type.String(),
    host: Type.String(),
    actor: Type.Object(
      { type: Type.String(), id: Type.String(), role: Nullable(Type.String()) },
      { additionalProperties: false },
    ),
    action: Type.String(),
    resource: Type.Object({ type: Type.String(), id: Nullable(Type.String()) }, { additionalProperties: false }),
    outcome: Outcome,
    errorCode: Nullable(Type.String()),
    requestId: Nullable(Type.String()),
    sourceIp: Nullable(Type.String()),
    userAgent: Nullable(Type.String()),
    sessionId: Nullable(Type.String()),
    participantId: Nullable(Type.String()),
    details: Type.Record(Type.String(), Type.Unknown()),
    prevHash: Hash,
    hash: Hash,
  },
  { additionalProperties: false },
);

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_.-]{0,63}(\\.\\*)?$',
        description: 'exact verb, or a prefix ending in .*',
      }),
    ),
    actorId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    participantId: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    resourceType: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    outcome: Type.Optional(Outcome),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    beforeSeq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditEventList = Type.Object(
  { items: Type.Array(AuditEvent), nextBeforeSeq: Nullable(Type.Integer()) },
  { additionalProperties: false },
);

export const AuditSeqParams = Type.Object(
  { seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
  { additionalProperties: false },
);

export const Verification = Type.Object(
  {
    ok: Type.Boolean(),
    checked: Type.Integer(),
    firstBadSeq: Nullable(Type.Integer()),
    reason: Nullable(Type.String()),
    headSeq: Type.Integer(),
    headHash: Nullable(Hash),
    verifiedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
