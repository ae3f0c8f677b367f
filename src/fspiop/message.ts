import { TrustloopError } from '../core/errors.js';

/** An FSPIOP HTTP request as it travels: the body is the exact bytes sent or received, never re-serialised. */
export interface FspiopRequest {
  method: string;
  /** Path and query exactly as in the request line, e.g. `/quotes` or `/parties/MSISDN/123`. */
  uri: string;
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

/** Largest FSPIOP body Trustloop signs, verifies or encrypts (FSPIOP messages are a few KiB). */
export const MAX_FSPIOP_BODY_BYTES = 256 * 1024;

/** FSPIOP error codes (API Definition §7.6) the signature and encryption checks answer with. */
export const FSPIOP_ERROR_BY_CODE: Partial<Record<TrustloopError['code'], { code: string; description: string }>> = {
  ERR_FSPIOP_SIGNATURE_MISSING: { code: '3102', description: 'Missing mandatory element' },
  ERR_FSPIOP_SIGNATURE_MALFORMED: { code: '3101', description: 'Malformed syntax' },
  ERR_FSPIOP_BODY_NOT_JSON: { code: '3101', description: 'Malformed syntax' },
  ERR_FSPIOP_ENCRYPTION_MALFORMED: { code: '3101', description: 'Malformed syntax' },
  ERR_PAYLOAD_TOO_LARGE: { code: '3101', description: 'Malformed syntax' },
  ERR_FSPIOP_ALGORITHM: { code: '3105', description: 'Invalid signature' },
  ERR_FSPIOP_SIGNATURE_INVALID: { code: '3105', description: 'Invalid signature' },
  ERR_FSPIOP_UNKNOWN_SOURCE: { code: '3105', description: 'Invalid signature' },
  ERR_FSPIOP_CERTIFICATE_NOT_VALID: { code: '3105', description: 'Invalid signature' },
  ERR_FSPIOP_HEADER_MISMATCH: { code: '3106', description: 'Modified request' },
};

/** Header lookup by lower-case name, as HTTP header names are case-insensitive. */
export function lowerCaseHeaders(headers: Readonly<Record<string, string>>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (map.has(lower)) throw new TrustloopError('ERR_VALIDATION', `headers: '${name}' is given twice`);
    map.set(lower, value);
  }
  return map;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body must be a UTF-8 JSON object, within the size limit; the bytes themselves are left as they are. */
export function requireJsonBody(body: Buffer): void {
  if (body.length > MAX_FSPIOP_BODY_BYTES)
    throw new TrustloopError('ERR_PAYLOAD_TOO_LARGE', `the FSPIOP body exceeds ${MAX_FSPIOP_BODY_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(body));
  } catch {
    throw new TrustloopError(
      'ERR_FSPIOP_BODY_NOT_JSON',
      body.length === 0
        ? 'the request has no body; FSPIOP signs requests that carry a JSON body'
        : 'the body is not UTF-8 JSON',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new TrustloopError('ERR_FSPIOP_BODY_NOT_JSON', 'the body must be a JSON object');
}

/** Decodes strict base64url (no padding, no other characters) or reports which field is malformed. */
export function decodeBase64Url(
  text: string,
  field: string,
  code: TrustloopError['code'] = 'ERR_FSPIOP_SIGNATURE_MALFORMED',
): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1)
    throw new TrustloopError(code, `${field} is not base64url`);
  return Buffer.from(text, 'base64url');
}

/** Parses UTF-8 JSON that must be an object (a JOSE header, an FSPIOP header value). */
export function parseJsonObject(
  bytes: Buffer | string,
  field: string,
  code: TrustloopError['code'],
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : UTF8.decode(bytes));
  } catch {
    throw new TrustloopError(code, `${field} is not UTF-8 JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new TrustloopError(code, `${field} must be a JSON object`);
  return parsed as Record<string, unknown>;
}
