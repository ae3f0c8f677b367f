import { Type, type Static } from 'typebox';

/**
 * FSPIOP FspId: a string of 1 to 32 characters. Trustloop further limits it to letters, digits,
 * `.`, `_` and `-` so an id is safe in URLs, file names, certificate subjects and log lines.
 */
export const FspId = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$',
  description: 'FSPIOP FspId (1-32 characters: letters, digits, ".", "_", "-")',
});

export const ParticipantKind = Type.Union([Type.Literal('hub'), Type.Literal('dfsp')]);
export const ParticipantStatus = Type.Union([Type.Literal('active'), Type.Literal('suspended')]);

export const SecurityContact = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    phone: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164' })),
    role: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'e.g. CISO, incident response' })),
  },
  { additionalProperties: false },
);
export type SecurityContact = Static<typeof SecurityContact>;

export const SecurityContacts = Type.Array(SecurityContact, { maxItems: 10 });

const Name = Type.String({ minLength: 1, maxLength: 128, pattern: '\\S' });

export const Participant = Type.Object(
  {
    id: FspId,
    name: Type.String(),
    kind: ParticipantKind,
    status: ParticipantStatus,
    securityContacts: SecurityContacts,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Participant = Static<typeof Participant>;

export const CreateParticipant = Type.Object(
  {
    id: FspId,
    name: Name,
    kind: ParticipantKind,
    status: Type.Optional(ParticipantStatus),
    securityContacts: Type.Optional(SecurityContacts),
  },
  { additionalProperties: false },
);
export type CreateParticipant = Static<typeof CreateParticipant>;

export const UpdateParticipant = Type.Object(
  { name: Type.Optional(Name), status: Type.Optional(ParticipantStatus) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateParticipant = Static<typeof UpdateParticipant>;

export const ReplaceContacts = Type.Object({ securityContacts: SecurityContacts }, { additionalProperties: false });

export const ParticipantQuery = Type.Object(
  {
    kind: Type.Optional(ParticipantKind),
    status: Type.Optional(ParticipantStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
export type ParticipantQuery = Static<typeof ParticipantQuery>;

export const ParticipantList = Type.Object(
  { items: Type.Array(Participant), total: Type.Integer() },
  { additionalProperties: false },
);

export const ParticipantParams = Type.Object({ id: FspId }, { additionalProperties: false });
