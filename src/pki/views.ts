import type { Clock } from '../core/clock.js';
import { DAY_MS } from './context.js';
import type { CaRow, CertificateRow, ChainRow, EnrolmentRow } from './store.js';
import type { CaRequestRow } from './ca.js';

export const caRequestView = (row: CaRequestRow) => ({
  id: row.id,
  name: row.name,
  parentId: row.parent_id,
  keyId: row.key_id,
  keyType: row.key_type,
  subject: row.subject,
  csrPem: row.csr_pem,
  status: row.status,
  caId: row.ca_id,
  createdAt: row.created_at,
});

export const caView = (row: CaRow) => ({
  id: row.id,
  name: row.name,
  role: row.role,
  parentId: row.parent_id,
  source: row.source,
  keyId: row.key_id,
  keyType: row.key_type,
  subject: row.subject,
  serial: row.serial,
  fingerprintSha256: row.fingerprint_sha256,
  notBefore: row.not_before,
  notAfter: row.not_after,
  pathLength: row.path_length,
  permittedDns: JSON.parse(row.permitted_dns) as string[],
  status: row.status,
  revokedAt: row.revoked_at,
  revocationReason: row.revocation_reason,
  crlNumber: row.crl_number,
  certificatePem: row.certificate_pem,
  createdAt: row.created_at,
});

export const certificateView = (row: CertificateRow, clock: Clock) => ({
  id: row.id,
  serial: row.serial,
  caId: row.ca_id,
  participantId: row.participant_id,
  profile: row.profile,
  subject: row.subject,
  dnsNames: JSON.parse(row.dns_names) as string[],
  keyType: row.key_type,
  keyStrengthBits: row.key_strength_bits,
  weaker: row.key_strength_bits < 128,
  keySource: row.key_source,
  keyId: row.key_id,
  fingerprintSha256: row.fingerprint_sha256,
  notBefore: row.not_before,
  notAfter: row.not_after,
  daysToExpiry: Math.floor((Date.parse(row.not_after) - clock.now().getTime()) / DAY_MS),
  status: row.status,
  revokedAt: row.revoked_at,
  revocationReason: row.revocation_reason,
  enrolmentId: row.enrolment_id,
  renewsId: row.renews_id,
  createdAt: row.created_at,
});

export const enrolmentView = (row: EnrolmentRow) => ({
  id: row.id,
  participantId: row.participant_id,
  profile: row.profile,
  caId: row.ca_id,
  subject: row.subject,
  dnsNames: JSON.parse(row.dns_names) as string[],
  keyType: row.key_type,
  checks: JSON.parse(row.checks),
  status: row.status,
  requiredApprovals: row.required_approvals,
  approvals: JSON.parse(row.approvals),
  submittedBy: row.submitted_by,
  decidedBy: row.decided_by,
  reason: row.reason,
  certificateId: row.certificate_id,
  renewsId: row.renews_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const chainView = (row: ChainRow) => ({
  id: row.id,
  participantId: row.participant_id,
  subject: row.subject,
  rootFingerprintSha256: row.root_fingerprint_sha256,
  notAfter: row.not_after,
  checks: JSON.parse(row.checks),
  createdAt: row.created_at,
});
