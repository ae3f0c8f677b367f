import type { ErrorCode } from '../core/errors.js';
import { judgeKey, keyUsageFor, nameBelongsTo, ownDomainsText, type Profile } from './profiles.js';
import { ACCEPTED_SIGNATURE_ALGORITHMS, WEAK_SIGNATURE_ALGORITHMS } from './x509/algorithms.js';
import type { ParsedCsr } from './x509/csr.js';

export type CheckStatus = 'VALID' | 'INVALID' | 'NOT_AVAILABLE';

export interface Check {
  id: CheckId;
  status: CheckStatus;
  message: string;
}

/** The checks, in the order they are reported, and the error code each raises when INVALID. */
export const CHECK_CODES = {
  CSR_SIGNATURE_VALID: 'ERR_CSR_SIGNATURE',
  CSR_SIGNATURE_ALGORITHM: 'ERR_CSR_SIGNATURE_ALGORITHM',
  CSR_PUBLIC_KEY_TYPE: 'ERR_KEY_UNSUPPORTED',
  CSR_PUBLIC_KEY_LENGTH: 'ERR_KEY_TOO_WEAK',
  CSR_MANDATORY_DISTINGUISHED_NAME: 'ERR_NAME_NOT_ALLOWED',
  CSR_COMMON_NAME: 'ERR_NAME_NOT_ALLOWED',
  CSR_SUBJECT_ALT_NAMES: 'ERR_NAME_NOT_ALLOWED',
  CSR_REQUESTED_USAGES: 'ERR_USAGE_NOT_ALLOWED',
  CSR_KEY_NOT_REUSED: 'ERR_KEY_REUSED',
} as const satisfies Record<string, ErrorCode>;
export type CheckId = keyof typeof CHECK_CODES;

export interface ValidationInput {
  csr: ParsedCsr;
  profile: Profile;
  participantId: string;
  schemeDomain: string;
  allowRsa2048: boolean;
  /** The CSR's public key already appears in a certificate Trustloop issued. */
  keyAlreadyCertified: boolean;
  /** DNS domains registered to the participant, besides its namespace in the scheme's domain. */
  registeredDomains: readonly string[];
}

const check = (id: CheckId, status: CheckStatus, message: string): Check => ({ id, status, message });

/**
 * Validates a CSR the way Mojaloop's Connection Manager reports it: one verdict per check,
 * VALID, INVALID or NOT_AVAILABLE (nothing to check). Nothing is issued unless none is INVALID.
 */
export function validateCsr(input: ValidationInput): Check[] {
  const { csr, profile, participantId, schemeDomain } = input;
  const verdict = judgeKey(csr.key, input.allowRsa2048);
  const sigAlg = ACCEPTED_SIGNATURE_ALGORITHMS[csr.signatureOid];
  const own = ownDomainsText(participantId, schemeDomain, input.registeredDomains);
  return [
    csr.signatureValid
      ? check('CSR_SIGNATURE_VALID', 'VALID', 'the CSR is signed by the key it carries')
      : check('CSR_SIGNATURE_VALID', 'INVALID', 'the CSR signature does not verify with its public key'),
    sigAlg
      ? check('CSR_SIGNATURE_ALGORITHM', 'VALID', sigAlg.name)
      : check(
          'CSR_SIGNATURE_ALGORITHM',
          'INVALID',
          `${WEAK_SIGNATURE_ALGORITHMS[csr.signatureOid] ?? csr.signatureOid.slice(0, 60)} is not accepted; sign with SHA-256 or stronger`,
        ),
    check('CSR_PUBLIC_KEY_TYPE', verdict.typeOk ? 'VALID' : 'INVALID', verdict.typeOk ? csr.key.type : verdict.message),
    verdict.typeOk
      ? check('CSR_PUBLIC_KEY_LENGTH', verdict.sizeOk ? 'VALID' : 'INVALID', verdict.message)
      : check('CSR_PUBLIC_KEY_LENGTH', 'NOT_AVAILABLE', 'the key type is not accepted'),
    csr.commonName && csr.organization && csr.commonName.length <= 64 && csr.organization.length <= 64
      ? check('CSR_MANDATORY_DISTINGUISHED_NAME', 'VALID', 'CN and O are present')
      : check(
          'CSR_MANDATORY_DISTINGUISHED_NAME',
          'INVALID',
          'the subject must carry CN and O, each of at most 64 characters',
        ),
    commonNameCheck(input),
    altNamesCheck(input, own),
    usagesCheck(csr, profile),
    input.keyAlreadyCertified
      ? check(
          'CSR_KEY_NOT_REUSED',
          'INVALID',
          'this public key is already certified; generate a new key pair for every CSR',
        )
      : check('CSR_KEY_NOT_REUSED', 'VALID', 'a fresh key'),
  ];
}

function commonNameCheck({ csr, profile, participantId, schemeDomain, registeredDomains }: ValidationInput): Check {
  const cn = csr.commonName;
  if (!cn) return check('CSR_COMMON_NAME', 'NOT_AVAILABLE', 'no common name');
  if (cn === participantId) return check('CSR_COMMON_NAME', 'VALID', 'the participant id');
  if (profile.requiresDnsName && nameBelongsTo(cn, participantId, schemeDomain, registeredDomains))
    return check('CSR_COMMON_NAME', 'VALID', "a DNS name of the participant's");
  return check(
    'CSR_COMMON_NAME',
    'INVALID',
    `CN must be '${participantId}'${profile.requiresDnsName ? ` or a name under ${ownDomainsText(participantId, schemeDomain, registeredDomains)}` : ''}`,
  );
}

function altNamesCheck(
  { csr, profile, participantId, schemeDomain, registeredDomains }: ValidationInput,
  own: string,
): Check {
  if (csr.otherNames.length > 0)
    return check('CSR_SUBJECT_ALT_NAMES', 'INVALID', 'only DNS names are accepted as subject alternative names');
  const foreign = csr.dnsNames.find((name) => !nameBelongsTo(name, participantId, schemeDomain, registeredDomains));
  if (foreign !== undefined)
    return check('CSR_SUBJECT_ALT_NAMES', 'INVALID', `'${foreign.slice(0, 100)}' is not under ${own}`);
  if (csr.dnsNames.length === 0) {
    return profile.requiresDnsName
      ? check('CSR_SUBJECT_ALT_NAMES', 'INVALID', `a ${profile.name} certificate needs a DNS name under ${own}`)
      : check('CSR_SUBJECT_ALT_NAMES', 'NOT_AVAILABLE', 'no subject alternative names requested');
  }
  return check('CSR_SUBJECT_ALT_NAMES', 'VALID', `${csr.dnsNames.length} DNS name(s) under ${own}`);
}

function usagesCheck(csr: ParsedCsr, profile: Profile): Check {
  if (csr.requestsCa) return check('CSR_REQUESTED_USAGES', 'INVALID', 'a participant certificate cannot be a CA');
  if (csr.requestedKeyUsage === null && csr.requestedExtendedKeyUsage === null)
    return check('CSR_REQUESTED_USAGES', 'NOT_AVAILABLE', `none requested; the ${profile.name} profile sets them`);
  const allowedKu = new Set<string>(keyUsageFor(profile, csr.key));
  const badKu = (csr.requestedKeyUsage ?? []).find((usage) => !allowedKu.has(usage));
  if (badKu) return check('CSR_REQUESTED_USAGES', 'INVALID', `key usage ${badKu} is not part of ${profile.name}`);
  const allowedEku = new Set<string>(profile.extendedKeyUsage);
  const badEku = (csr.requestedExtendedKeyUsage ?? []).find((usage) => !allowedEku.has(usage));
  if (badEku)
    return check(
      'CSR_REQUESTED_USAGES',
      'INVALID',
      `extended key usage ${badEku.slice(0, 60)} is not part of ${profile.name}`,
    );
  return check('CSR_REQUESTED_USAGES', 'VALID', `within the ${profile.name} profile`);
}
