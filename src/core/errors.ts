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
