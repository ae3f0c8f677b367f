import { Type, type Static } from 'typebox';
import { literals, Nullable } from '../../core/schema.js';

const Time = Type.String({ format: 'date-time' });

export const ReviewEntry = Type.Object(
  {
    tokenId: Type.String(),
    tokenName: Type.String(),
    role: Type.String(),
    participantId: Nullable(Type.String()),
    tokenCreatedAt: Time,
    expiresAt: Nullable(Time),
    lastUsedAt: Nullable(Time),
    decision: Nullable(literals(['keep', 'revoke'] as const)),
    reason: Nullable(Type.String()),
    decidedAt: Nullable(Time),
    decidedBy: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type ReviewEntry = Static<typeof ReviewEntry>;

export const ReviewSummary = Type.Object(
  {
    id: Type.String(),
    status: literals(['open', 'completed'] as const),
    note: Nullable(Type.String()),
    startedAt: Time,
    startedBy: Type.String(),
    completedAt: Nullable(Time),
    completedBy: Nullable(Type.String()),
    entries: Type.Integer(),
    kept: Type.Integer(),
    revoked: Type.Integer(),
    undecided: Type.Integer(),
  },
  { additionalProperties: false },
);
export type ReviewSummary = Static<typeof ReviewSummary>;

export const ReviewDetail = Type.Object(
  { review: ReviewSummary, entries: Type.Array(ReviewEntry) },
  { additionalProperties: false },
);
export type ReviewDetail = Static<typeof ReviewDetail>;

export const ReviewList = Type.Object({ items: Type.Array(ReviewSummary) }, { additionalProperties: false });

export const StartReview = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' })) },
  { additionalProperties: false },
);
export type StartReview = Static<typeof StartReview>;

export const Decide = Type.Object(
  {
    decision: literals(['keep', 'revoke'] as const),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' })),
  },
  { additionalProperties: false },
);
export type Decide = Static<typeof Decide>;

export const ReviewParams = Type.Object(
  { id: Type.String({ pattern: '^arv_[a-z2-7]{16}$' }) },
  { additionalProperties: false },
);

export const EntryParams = Type.Object(
  {
    id: Type.String({ pattern: '^arv_[a-z2-7]{16}$' }),
    tokenId: Type.String({ pattern: '^tok_[a-z2-7]{16}$' }),
  },
  { additionalProperties: false },
);
