/** Timestamps are ISO-8601 UTC text on both engines: sortable, and byte-identical for hashing. */
export type IsoTime = string;

export interface ParticipantsTable {
  id: string;
  name: string;
  kind: 'hub' | 'dfsp';
  status: 'active' | 'suspended';
  security_contacts: string;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  participant_id: string | null;
  secret_hash: string;
  created_at: IsoTime;
  created_by: string;
  expires_at: IsoTime | null;
  last_used_at: IsoTime | null;
  revoked_at: IsoTime | null;
  revoked_by: string | null;
}

export interface SessionsTable {
  id: string;
  token_id: string;
  secret_hash: string;
  csrf_hash: string;
  created_at: IsoTime;
  expires_at: IsoTime;
  revoked_at: IsoTime | null;
}

/** Append-only: no code path updates or deletes a row, and triggers refuse it on both engines. */
export interface AuditEventsTable {
  seq: number;
  id: string;
  time: IsoTime;
  service: string;
  host: string;
  actor_type: string;
  actor_id: string;
  actor_role: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  outcome: 'success' | 'denied' | 'failure';
  error_code: string | null;
  request_id: string | null;
  source_ip: string | null;
  user_agent: string | null;
  session_id: string | null;
  participant_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface CpmKeystoreTable {
  id: number;
  backend: 'software' | 'pkcs11';
  shares: number;
  threshold: number;
  verifier: string;
  created_at: IsoTime;
}

export interface CpmKeysTable {
  id: string;
  name: string;
  type: string;
  purpose: string;
  backend: string;
  owner_participant_id: string | null;
  policy: string;
  status: 'enabled' | 'disabled' | 'destroy-scheduled' | 'destroyed';
  rotation_period_days: number | null;
  latest_version: number;
  min_decryption_version: number;
  destroy_after: IsoTime | null;
  created_at: IsoTime;
  updated_at: IsoTime;
  last_rotated_at: IsoTime;
  /** Generated inside the keystore, or imported wrapped (BYOK). */
  origin: 'generated' | 'imported';
}

export interface CpmImportTokensTable {
  id: string;
  backend: string;
  algorithm: string;
  /** The wrapping key's keystore reference (wrapped material or token label). */
  material: string;
  public_key: string;
  participant_id: string | null;
  created_at: IsoTime;
  expires_at: IsoTime;
  used_at: IsoTime | null;
}

export interface CpmKeyVersionsTable {
  key_id: string;
  version: number;
  material: string;
  public_key: string | null;
  created_at: IsoTime;
  destroyed_at: IsoTime | null;
}

export interface FspiopCertificatesTable {
  id: string;
  participant_id: string;
  use: 'sig' | 'enc';
  pem: string;
  fingerprint: string;
  subject: string;
  serial: string;
  key_type: string;
  not_before: IsoTime;
  not_after: IsoTime;
  retire_at: IsoTime | null;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface PkiCasTable {
  id: string;
  name: string;
  role: 'root' | 'issuing';
  parent_id: string | null;
  source: 'cpm' | 'external';
  key_id: string | null;
  key_version: number | null;
  key_type: string;
  subject: string;
  certificate_pem: string;
  serial: string;
  fingerprint_sha256: string;
  not_before: IsoTime;
  not_after: IsoTime;
  path_length: number | null;
  /** JSON array of DNS subtrees the CA's name constraints permit. */
  permitted_dns: string;
  status: 'active' | 'retired';
  crl_number: number;
  /** Set when the parent CA revoked it (status is then 'retired'). */
  revoked_at: IsoTime | null;
  revocation_reason: string | null;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface PkiCertificatesTable {
  id: string;
  serial: string;
  ca_id: string;
  participant_id: string;
  profile: string;
  subject: string;
  dns_names: string;
  key_type: string;
  key_strength_bits: number;
  spki_sha256: string;
  key_source: 'csr' | 'cpm' | 'ephemeral';
  key_id: string | null;
  key_version: number | null;
  fingerprint_sha256: string;
  certificate_pem: string;
  not_before: IsoTime;
  not_after: IsoTime;
  status: 'valid' | 'revoked';
  revoked_at: IsoTime | null;
  revocation_reason: string | null;
  revoked_by: string | null;
  enrolment_id: string | null;
  renews_id: string | null;
  expiry_warned_at: IsoTime | null;
  expiry_warned_days: number | null;
  created_at: IsoTime;
}

export interface PkiEnrolmentsTable {
  id: string;
  participant_id: string;
  profile: string;
  ca_id: string;
  csr_pem: string;
  subject: string;
  dns_names: string;
  key_type: string;
  checks: string;
  status: 'pending' | 'issued' | 'rejected';
  required_approvals: number;
  approvals: string;
  submitted_by: string;
  decided_by: string | null;
  reason: string | null;
  certificate_id: string | null;
  renews_id: string | null;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface PkiCrlsTable {
  ca_id: string;
  crl_number: number;
  this_update: IsoTime;
  next_update: IsoTime;
  der: string;
}

export interface PkiOcspResponsesTable {
  ca_id: string;
  serial: string;
  status: 'good' | 'revoked';
  this_update: IsoTime;
  next_update: IsoTime;
  der: string;
}

export interface PkiCaRequestsTable {
  id: string;
  name: string;
  parent_id: string;
  key_id: string;
  key_type: string;
  subject: string;
  csr_pem: string;
  status: 'pending' | 'completed';
  ca_id: string | null;
  requested_by: string;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface PkiParticipantDomainsTable {
  /** Lower-case DNS name; one participant at most owns it. */
  domain: string;
  participant_id: string;
  registered_by: string;
  created_at: IsoTime;
}

export interface PkiParticipantChainsTable {
  id: string;
  participant_id: string;
  chain_pem: string;
  subject: string;
  root_fingerprint_sha256: string;
  not_after: IsoTime;
  checks: string;
  created_at: IsoTime;
}

export interface DB {
  participants: ParticipantsTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  cpm_keystore: CpmKeystoreTable;
  cpm_keys: CpmKeysTable;
  cpm_key_versions: CpmKeyVersionsTable;
  cpm_import_tokens: CpmImportTokensTable;
  fspiop_certificates: FspiopCertificatesTable;
  controls_catalogs: ControlsCatalogsTable;
  controls_participant_profiles: ControlsParticipantProfilesTable;
  controls_responsibility: ControlsResponsibilityTable;
  controls_assessments: ControlsAssessmentsTable;
  controls_assessment_items: ControlsAssessmentItemsTable;
  controls_snapshots: ControlsSnapshotsTable;
  controls_evidence: ControlsEvidenceTable;
  pki_cas: PkiCasTable;
  pki_certificates: PkiCertificatesTable;
  pki_enrolments: PkiEnrolmentsTable;
  pki_crls: PkiCrlsTable;
  pki_participant_chains: PkiParticipantChainsTable;
  pki_ocsp_responses: PkiOcspResponsesTable;
  pki_participant_domains: PkiParticipantDomainsTable;
  pki_ca_requests: PkiCaRequestsTable;
  notifications: NotificationsTable;
  notification_subscriptions: NotificationSubscriptionsTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_attempts: NotificationAttemptsTable;
  access_reviews: AccessReviewsTable;
  access_review_entries: AccessReviewEntriesTable;
}

export interface ControlsCatalogsTable {
  urn: string;
  framework: string;
  version: string;
  name: string;
  document: string;
  imported_at: IsoTime;
  imported_by: string;
}

export interface ControlsParticipantProfilesTable {
  participant_id: string;
  hosted: number;
  updated_at: IsoTime;
}

export interface ControlsResponsibilityTable {
  catalog_urn: string;
  ref: string;
  scope: string;
  party: 'hub' | 'participant' | 'shared' | 'not-applicable';
  hub_duty: string | null;
  participant_duty: string | null;
  reason: string | null;
  updated_at: IsoTime;
  updated_by: string;
}

export interface ControlsAssessmentsTable {
  id: string;
  catalog_urn: string;
  participant_id: string;
  title: string;
  status: 'open' | 'signed-off';
  version: number;
  due_date: string | null;
  created_at: IsoTime;
  created_by: string;
  updated_at: IsoTime;
  signed_off_at: IsoTime | null;
  signed_off_by: string | null;
}

export type AssessmentResult =
  'not-assessed' | 'compliant' | 'partially-compliant' | 'non-compliant' | 'not-applicable';

export interface ControlsAssessmentItemsTable {
  assessment_id: string;
  ref: string;
  result: AssessmentResult;
  justification: string | null;
  evidence_ids: string;
  assessor: string | null;
  reviewer: string | null;
  due_date: string | null;
  source: 'manual' | 'collector';
  updated_at: IsoTime;
  updated_by: string;
}

export interface ControlsSnapshotsTable {
  assessment_id: string;
  version: number;
  taken_at: IsoTime;
  taken_by: string;
  summary: string;
  items: string;
}

export interface ControlsEvidenceTable {
  id: string;
  participant_id: string;
  kind: 'file' | 'link' | 'automated';
  title: string;
  url: string | null;
  file_name: string | null;
  media_type: string | null;
  size_bytes: number | null;
  sha256: string | null;
  content: Buffer | null;
  collector: string | null;
  result: 'pass' | 'fail' | null;
  data: string | null;
  requirement_urns: string;
  created_at: IsoTime;
  created_by: string;
  expires_at: IsoTime | null;
}

export type NotificationSeverity = 'info' | 'warning' | 'critical';

/** The outbox: written in the transaction of the change that causes the notification. */
export interface NotificationsTable {
  id: string;
  type: string;
  severity: NotificationSeverity;
  subject: string;
  participant_id: string | null;
  payload: string;
  created_at: IsoTime;
}

export interface NotificationSubscriptionsTable {
  id: string;
  url: string;
  event_types: string;
  participant_id: string | null;
  description: string | null;
  secret_key_id: string;
  secret_sealed: string;
  created_at: IsoTime;
  created_by: string;
  deleted_at: IsoTime | null;
  deleted_by: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'cancelled';

export interface NotificationDeliveriesTable {
  id: string;
  notification_id: string;
  subscription_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: IsoTime;
  last_attempt_at: IsoTime | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: IsoTime | null;
  created_at: IsoTime;
}

export interface NotificationAttemptsTable {
  delivery_id: string;
  number: number;
  at: IsoTime;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  outcome: 'delivered' | 'failed';
}

export interface AccessReviewsTable {
  id: string;
  status: 'open' | 'completed';
  note: string | null;
  started_at: IsoTime;
  started_by: string;
  completed_at: IsoTime | null;
  completed_by: string | null;
}

/** Who had what when the review started, and what the reviewer decided about it. */
export interface AccessReviewEntriesTable {
  review_id: string;
  token_id: string;
  token_name: string;
  role: string;
  participant_id: string | null;
  token_created_at: IsoTime;
  expires_at: IsoTime | null;
  last_used_at: IsoTime | null;
  decision: 'keep' | 'revoke' | null;
  reason: string | null;
  decided_at: IsoTime | null;
  decided_by: string | null;
}
