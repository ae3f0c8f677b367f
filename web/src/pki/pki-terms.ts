import type { CaKeyType, Certificate, RevocationReason } from './types.js';

export const CA_KEY_TYPES: readonly CaKeyType[] = ['ec-p256', 'ec-p384', 'rsa-3072', 'rsa-4096'];

/** The profiles a participant may enrol for; `ocsp-signing` is issued by the hub to itself only. */
export const ENROLABLE_PROFILES = ['mtls-client', 'mtls-server', 'jws-signing'] as const;

/** Days before notAfter from which a valid certificate is flagged as expiring. */
export const EXPIRY_WARNING_DAYS = 30;

/** RFC 5280 CRLReason values the API accepts, each with what it tells relying parties. */
export const REVOCATION_REASONS: Record<RevocationReason, string> = {
  unspecified: 'No reason given',
  keyCompromise: 'The private key is known or suspected to be compromised',
  cACompromise: 'The issuing CA is compromised',
  affiliationChanged: 'The subject left the scheme or changed its name',
  superseded: 'Replaced by a newer certificate',
  cessationOfOperation: 'No longer needed',
  certificateHold: 'Suspended for now',
  privilegeWithdrawn: 'The scheme withdrew the privilege it granted',
  aACompromise: 'An attribute authority is compromised',
};

/** Reasons that state a fact about the scheme itself: the server accepts them from the hub only. */
const HUB_ONLY: readonly RevocationReason[] = ['cACompromise', 'aACompromise', 'privilegeWithdrawn', 'certificateHold'];

export const reasonsFor = (participantCaller: boolean): RevocationReason[] =>
  (Object.keys(REVOCATION_REASONS) as RevocationReason[]).filter(
    (reason) => !participantCaller || !HUB_ONLY.includes(reason),
  );

export const isRevocationReason = (value: string): value is RevocationReason => value in REVOCATION_REASONS;

export type ExpiryState = 'expired' | 'expiring' | 'valid';

/** Where a certificate stands against its notAfter, as the server counted the days left. */
export const expiryState = (certificate: Pick<Certificate, 'daysToExpiry'>): ExpiryState =>
  certificate.daysToExpiry < 0 ? 'expired' : certificate.daysToExpiry < EXPIRY_WARNING_DAYS ? 'expiring' : 'valid';

/** The UTC date part of an ISO timestamp. */
export const day = (iso: string): string => iso.slice(0, 10);
