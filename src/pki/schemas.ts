import { Type, type Static } from 'typebox';
import { ID_PATTERN } from '../core/ids.js';
import { Nullable, literals } from '../core/schema.js';
import { FspId } from '../participants/schemas.js';
import { PROFILE_NAMES } from './profiles.js';
import { REVOCATION_REASONS } from './revocation.js';
import { CA_KEY_TYPES } from './x509/algorithms.js';

const Id = Type.String({ pattern: ID_PATTERN, maxLength: 20 });
const Time = Type.String({ format: 'date-time' });
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$' });
const DirectoryText = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9 .,'()&_-]{0,63}$" });
const DnsName = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
});
/** Large enough that an oversized CSR reaches the service, which refuses it with ERR_CSR_TOO_LARGE. */
const PemText = Type.String({ minLength: 1, maxLength: 262_144 });

export const ProfileSchema = literals(PROFILE_NAMES);
export const ReasonSchema = literals(Object.keys(REVOCATION_REASONS) as (keyof typeof REVOCATION_REASONS)[]);
export const CaKeyTypeSchema = literals(CA_KEY_TYPES);

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

export const CreateCa = Type.Object(
  {
    name: Name,
    role: literals(['root', 'issuing'] as const),
    parentId: Type.Optional(Id),
    keyType: CaKeyTypeSchema,
    commonName: DirectoryText,
    organization: Type.Optional(DirectoryText),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    validityDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 7300 })),
    pathLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
    permittedDns: Type.Optional(Type.Array(DnsName, { minItems: 1, maxItems: 10, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type CreateCa = Static<typeof CreateCa>;

export const ImportCa = Type.Object({ name: Name, certificatePem: PemText }, { additionalProperties: false });

export const CaView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    role: Type.String(),
    parentId: Nullable(Type.String()),
    source: Type.String(),
    keyId: Nullable(Type.String()),
    keyType: Type.String(),
    subject: Type.String(),
    serial: Type.String(),
    fingerprintSha256: Type.String(),
    notBefore: Time,
    notAfter: Time,
    pathLength: Nullable(Type.Integer()),
    permittedDns: Type.Array(Type.String()),
    status: Type.String(),
    revokedAt: Nullable(Time),
    revocationReason: Nullable(Type.String()),
    crlNumber: Type.Integer(),
    certificatePem: Type.String(),
    createdAt: Time,
  },
  { additionalProperties: false },
);
export const CaList = Type.Object({ items: Type.Array(CaView) }, { additionalProperties: false });

const CheckView = Type.Object(
  { id: Type.String(), status: literals(['VALID', 'INVALID', 'NOT_AVAILABLE'] as const), message: Type.String() },
  { additionalProperties: false },
);

export const SubmitCsr = Type.Object(
  {
    participantId: Type.Optional(FspId),
    profile: Type.String({ minLength: 1, maxLength: 64 }),
    csrPem: PemText,
    caId: Type.Optional(Id),
    renewsCertificateId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type SubmitCsr = Static<typeof SubmitCsr>;

export const ValidationReport = Type.Object(
  {
    participantId: Type.String(),
    valid: Type.Boolean(),
    keyType: Type.String(),
    weaker: Type.Boolean(),
    checks: Type.Array(CheckView),
  },
  { additionalProperties: false },
);

export const EnrolmentView = Type.Object(
  {
    id: Type.String(),
    participantId: Type.String(),
    profile: Type.String(),
    caId: Type.String(),
    subject: Type.String(),
    dnsNames: Type.Array(Type.String()),
    keyType: Type.String(),
    checks: Type.Array(CheckView),
    status: Type.String(),
    requiredApprovals: Type.Integer(),
    approvals: Type.Array(
      Type.Object({ actorId: Type.String(), role: Nullable(Type.String()), at: Time }, { additionalProperties: false }),
    ),
    submittedBy: Type.String(),
    decidedBy: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    certificateId: Nullable(Type.String()),
    renewsId: Nullable(Type.String()),
    createdAt: Time,
    updatedAt: Time,
  },
  { additionalProperties: false },
);

export const EnrolmentQuery = Type.Object(
  {
    status: Type.Optional(literals(['pending', 'issued', 'rejected'] as const)),
    participantId: Type.Optional(FspId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
export const EnrolmentList = Type.Object(
  { items: Type.Array(EnrolmentView), total: Type.Integer() },
  { additionalProperties: false },
);

export const RejectBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }) },
  { additionalProperties: false },
);

export const CertificateView = Type.Object(
  {
    id: Type.String(),
    serial: Type.String(),
    caId: Type.String(),
    participantId: Type.String(),
    profile: Type.String(),
    subject: Type.String(),
    dnsNames: Type.Array(Type.String()),
    keyType: Type.String(),
    keyStrengthBits: Type.Integer(),
    weaker: Type.Boolean(),
    keySource: Type.String(),
    keyId: Nullable(Type.String()),
    fingerprintSha256: Type.String(),
    notBefore: Time,
    notAfter: Time,
    daysToExpiry: Type.Integer(),
    status: Type.String(),
    revokedAt: Nullable(Time),
    revocationReason: Nullable(Type.String()),
    enrolmentId: Nullable(Type.String()),
    renewsId: Nullable(Type.String()),
    createdAt: Time,
  },
  { additionalProperties: false },
);
export const CertificateDetail = Type.Object(
  { certificate: CertificateView, certificatePem: Type.String(), chainPem: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export const ApproveResult = Type.Object(
  { enrolment: EnrolmentView, certificate: Nullable(CertificateDetail) },
  { additionalProperties: false },
);

export const CertificateQuery = Type.Object(
  {
    participantId: Type.Optional(FspId),
    profile: Type.Optional(ProfileSchema),
    status: Type.Optional(literals(['valid', 'revoked'] as const)),
    caId: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
export const CertificateList = Type.Object(
  { items: Type.Array(CertificateView), total: Type.Integer() },
  { additionalProperties: false },
);

export const HubIssue = Type.Object(
  {
    profile: ProfileSchema,
    keyType: CaKeyTypeSchema,
    dnsNames: Type.Optional(Type.Array(DnsName, { minItems: 1, maxItems: 10, uniqueItems: true })),
    caId: Type.Optional(Id),
    renewsCertificateId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export const RevokeBody = Type.Object({ reason: ReasonSchema }, { additionalProperties: false });

export const ExpiringQuery = Type.Object(
  {
    withinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, default: 30 })),
    participantId: Type.Optional(FspId),
    profile: Type.Optional(ProfileSchema),
  },
  { additionalProperties: false },
);
export const ExpiringReport = Type.Object(
  {
    withinDays: Type.Integer(),
    certificates: Type.Array(CertificateView),
    groups: Type.Array(
      Type.Object(
        { participantId: Type.String(), profile: Type.String(), count: Type.Integer(), soonest: Time },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const UploadChain = Type.Object(
  { participantId: Type.Optional(FspId), chainPem: PemText },
  { additionalProperties: false },
);
export const ChainView = Type.Object(
  {
    id: Type.String(),
    participantId: Type.String(),
    subject: Type.String(),
    rootFingerprintSha256: Type.String(),
    notAfter: Time,
    checks: Type.Array(CheckView),
    createdAt: Time,
  },
  { additionalProperties: false },
);
export const ChainList = Type.Object({ items: Type.Array(ChainView) }, { additionalProperties: false });

export const CrlInfo = Type.Object(
  {
    caId: Type.String(),
    crlNumber: Type.Integer(),
    thisUpdate: Time,
    nextUpdate: Time,
    url: Type.String(),
    pem: Type.String(),
  },
  { additionalProperties: false },
);

export const CaFileParams = Type.Object(
  { file: Type.String({ pattern: '^[a-z]{3}_[a-z2-7]{16}\\.(crl|pem|crt)$', maxLength: 30 }) },
  { additionalProperties: false },
);

export const DomainParams = Type.Object({ participantId: FspId }, { additionalProperties: false });
export const DomainItemParams = Type.Object({ participantId: FspId, domain: DnsName }, { additionalProperties: false });
export const RegisterDomain = Type.Object({ domain: DnsName }, { additionalProperties: false });
export const DomainView = Type.Object(
  { domain: Type.String(), participantId: Type.String(), registeredBy: Type.String(), createdAt: Time },
  { additionalProperties: false },
);
export const DomainList = Type.Object({ items: Type.Array(DomainView) }, { additionalProperties: false });

export const CaRequestBody = Type.Object(
  {
    name: Name,
    parentId: Id,
    keyType: CaKeyTypeSchema,
    commonName: DirectoryText,
    organization: Type.Optional(DirectoryText),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  },
  { additionalProperties: false },
);
export const CaRequestView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    parentId: Type.String(),
    keyId: Type.String(),
    keyType: Type.String(),
    subject: Type.String(),
    csrPem: Type.String(),
    status: Type.String(),
    caId: Nullable(Type.String()),
    createdAt: Time,
  },
  { additionalProperties: false },
);
export const CaRequestList = Type.Object({ items: Type.Array(CaRequestView) }, { additionalProperties: false });
export const CaRequestQuery = Type.Object(
  { status: Type.Optional(literals(['pending', 'completed'] as const)) },
  { additionalProperties: false },
);
export const CaCertificateBody = Type.Object({ certificatePem: PemText }, { additionalProperties: false });

/** An external CA's CRL: PEM, or base64 of the DER. A root's CRL lists few entries; 1 MB is ample. */
export const ImportCrlBody = Type.Object(
  {
    crl: Type.String({
      minLength: 1,
      maxLength: 1_000_000,
      description: 'the CRL as PEM (BEGIN X509 CRL) or base64 of its DER',
    }),
  },
  { additionalProperties: false },
);
