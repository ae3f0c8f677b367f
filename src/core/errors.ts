/**
 * Stable error codes. The HTTP status of each code lives in one table below, never at the throw
 * site, so an error means the same thing from the API, the CLI and the logs.
 */
const STATUS_BY_CODE = {
  ERR_VALIDATION: 400,
  ERR_MALFORMED_JSON: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
  ERR_CSRF: 403,
  ERR_NOT_FOUND: 404,
  ERR_METHOD_NOT_ALLOWED: 405,
  ERR_CONFLICT: 409,
  ERR_PAYLOAD_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_RATE_LIMITED: 429,
  ERR_INTERNAL: 500,
  ERR_AUDIT_UNAVAILABLE: 503,
  ERR_UNAVAILABLE: 503,
  ERR_CONFIG: 500,
  ERR_SEALED: 503,
  ERR_KEYSTORE_NOT_INITIALIZED: 409,
  ERR_KEYSTORE_INITIALIZED: 409,
  ERR_INVALID_SHARE: 400,
  ERR_DUPLICATE_SHARE: 400,
  ERR_UNSEAL_FAILED: 400,
  ERR_KEY_DISABLED: 409,
  ERR_KEY_DESTROYED: 410,
  ERR_WRONG_PURPOSE: 400,
  ERR_KEY_POLICY: 403,
  ERR_VERSION_TOO_OLD: 400,
  ERR_DECRYPTION_FAILED: 400,
  ERR_MALFORMED_CIPHERTEXT: 400,
  ERR_HSM_UNSUPPORTED: 409,
  ERR_PREHASH_UNSUPPORTED: 400,
  ERR_IMPORT_FAILED: 400,
  ERR_IMPORT_TOKEN_INVALID: 400,
  ERR_IMPORT_MISMATCH: 400,
  ERR_FSPIOP_SIGNATURE_MISSING: 400,
  ERR_FSPIOP_SIGNATURE_MALFORMED: 400,
  ERR_FSPIOP_ALGORITHM: 400,
  ERR_FSPIOP_SIGNATURE_INVALID: 400,
  ERR_FSPIOP_HEADER_MISMATCH: 400,
  ERR_FSPIOP_UNKNOWN_SOURCE: 400,
  ERR_FSPIOP_CERTIFICATE_NOT_VALID: 400,
  ERR_FSPIOP_CERTIFICATE_INVALID: 400,
  ERR_FSPIOP_BODY_NOT_JSON: 400,
  ERR_FSPIOP_ENCRYPTION_MALFORMED: 400,
  ERR_FSPIOP_FIELD_NOT_FOUND: 400,
  ERR_ILP_INVALID: 400,
  ERR_CATALOG_INVALID: 400,
  ERR_EVIDENCE_REFUSED: 415,
  ERR_ASSESSMENT_SIGNED_OFF: 409,
  ERR_NO_SUGGESTION: 409,
  ERR_CA_KEY_ROTATED: 409,
  ERR_CA_UNUSABLE: 409,
  ERR_PEM_MALFORMED: 400,
  ERR_CSR_SIGNATURE: 400,
  ERR_CSR_SIGNATURE_ALGORITHM: 400,
  ERR_KEY_TOO_WEAK: 400,
  ERR_KEY_UNSUPPORTED: 400,
  ERR_NAME_NOT_ALLOWED: 400,
  ERR_USAGE_NOT_ALLOWED: 400,
  ERR_KEY_REUSED: 409,
  ERR_CSR_TOO_LARGE: 413,
  ERR_PROFILE_UNKNOWN: 400,
  ERR_ALREADY_REVOKED: 409,
  ERR_ENROLMENT_DECIDED: 409,
  ERR_DUAL_CONTROL: 403,
  ERR_CHAIN_INVALID: 400,
  ERR_CRL_INVALID: 400,
  ERR_CRL_NOT_NEWER: 409,
} as const;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

const TITLE_BY_CODE: Record<ErrorCode, string> = {
  ERR_VALIDATION: 'Invalid request',
  ERR_MALFORMED_JSON: 'Malformed JSON body',
  ERR_UNAUTHENTICATED: 'Authentication required',
  ERR_FORBIDDEN: 'Forbidden',
  ERR_CSRF: 'CSRF check failed',
  ERR_NOT_FOUND: 'Not found',
  ERR_METHOD_NOT_ALLOWED: 'Method not allowed',
  ERR_CONFLICT: 'Conflict',
  ERR_PAYLOAD_TOO_LARGE: 'Payload too large',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  ERR_RATE_LIMITED: 'Too many requests',
  ERR_INTERNAL: 'Internal error',
  ERR_AUDIT_UNAVAILABLE: 'Audit trail unavailable',
  ERR_UNAVAILABLE: 'Service unavailable',
  ERR_CONFIG: 'Invalid configuration',
  ERR_SEALED: 'Keystore sealed',
  ERR_KEYSTORE_NOT_INITIALIZED: 'Keystore not initialised',
  ERR_KEYSTORE_INITIALIZED: 'Keystore already initialised',
  ERR_INVALID_SHARE: 'Invalid key share',
  ERR_DUPLICATE_SHARE: 'Duplicate key share',
  ERR_UNSEAL_FAILED: 'Unseal failed',
  ERR_KEY_DISABLED: 'Key disabled',
  ERR_KEY_DESTROYED: 'Key destroyed',
  ERR_WRONG_PURPOSE: 'Wrong key purpose',
  ERR_KEY_POLICY: 'Key policy refuses this use',
  ERR_VERSION_TOO_OLD: 'Key version below the minimum',
  ERR_DECRYPTION_FAILED: 'Decryption failed',
  ERR_MALFORMED_CIPHERTEXT: 'Malformed ciphertext',
  ERR_HSM_UNSUPPORTED: 'Not supported by this HSM',
  ERR_PREHASH_UNSUPPORTED: 'No digest form for this algorithm',
  ERR_IMPORT_FAILED: 'Key import failed',
  ERR_IMPORT_TOKEN_INVALID: 'Import token not usable',
  ERR_IMPORT_MISMATCH: 'Public key does not match',
  ERR_FSPIOP_SIGNATURE_MISSING: 'FSPIOP signature missing',
  ERR_FSPIOP_SIGNATURE_MALFORMED: 'Malformed FSPIOP signature',
  ERR_FSPIOP_ALGORITHM: 'Signature algorithm not allowed',
  ERR_FSPIOP_SIGNATURE_INVALID: 'Invalid FSPIOP signature',
  ERR_FSPIOP_HEADER_MISMATCH: 'Signed headers do not match the request',
  ERR_FSPIOP_UNKNOWN_SOURCE: 'No certificate for the FSPIOP source',
  ERR_FSPIOP_CERTIFICATE_NOT_VALID: 'Certificate not valid now',
  ERR_FSPIOP_CERTIFICATE_INVALID: 'Unusable certificate',
  ERR_FSPIOP_BODY_NOT_JSON: 'FSPIOP body is not JSON',
  ERR_FSPIOP_ENCRYPTION_MALFORMED: 'Malformed FSPIOP encryption header',
  ERR_FSPIOP_FIELD_NOT_FOUND: 'Encrypted field not in the body',
  ERR_ILP_INVALID: 'Invalid ILP input',
  ERR_CATALOG_INVALID: 'Invalid catalog',
  ERR_EVIDENCE_REFUSED: 'Evidence file refused',
  ERR_ASSESSMENT_SIGNED_OFF: 'Assessment signed off',
  ERR_NO_SUGGESTION: 'No suggestion to accept',
  ERR_CA_KEY_ROTATED: 'CA key rotated',
  ERR_CA_UNUSABLE: 'CA cannot sign',
  ERR_PEM_MALFORMED: 'Malformed PEM',
  ERR_CSR_SIGNATURE: 'Bad CSR signature',
  ERR_CSR_SIGNATURE_ALGORITHM: 'Signature algorithm not accepted',
  ERR_KEY_TOO_WEAK: 'Key too weak',
  ERR_KEY_UNSUPPORTED: 'Key type not accepted',
  ERR_NAME_NOT_ALLOWED: 'Name not allowed for this participant',
  ERR_USAGE_NOT_ALLOWED: 'Key usage not allowed by the profile',
  ERR_KEY_REUSED: 'Key already certified',
  ERR_CSR_TOO_LARGE: 'CSR too large',
  ERR_PROFILE_UNKNOWN: 'Unknown certificate profile',
  ERR_ALREADY_REVOKED: 'Certificate already revoked',
  ERR_ENROLMENT_DECIDED: 'Enrolment already decided',
  ERR_DUAL_CONTROL: 'Dual control refuses this approval',
  ERR_CHAIN_INVALID: 'Certificate chain invalid',
  ERR_CRL_INVALID: 'CRL not acceptable',
  ERR_CRL_NOT_NEWER: 'CRL not newer than the stored one',
};

/** Base error: a stable `code`, a human message safe to show to the caller, and the original cause. */
export class TrustloopError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrustloopError';
    this.code = code;
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }

  get title(): string {
    return TITLE_BY_CODE[this.code];
  }
}

export const statusOf = (code: ErrorCode): number => STATUS_BY_CODE[code];
export const titleOf = (code: ErrorCode): string => TITLE_BY_CODE[code];

export const notFound = (what: string, id: string): TrustloopError =>
  new TrustloopError('ERR_NOT_FOUND', `${what} '${id}' does not exist or is not visible to you`);

export const conflict = (message: string): TrustloopError => new TrustloopError('ERR_CONFLICT', message);

export const invalid = (field: string, reason: string): TrustloopError =>
  new TrustloopError('ERR_VALIDATION', `${field}: ${reason}`);

export const isTrustloopError = (error: unknown): error is TrustloopError => error instanceof TrustloopError;
