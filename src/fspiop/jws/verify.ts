import type { KeyObject } from 'node:crypto';
import { TrustloopError } from '../../core/errors.js';
import { verifyJws } from './verify-pool.js';
import { decodeBase64Url, lowerCaseHeaders, parseJsonObject, requireJsonBody, type FspiopRequest } from '../message.js';

/** Algorithms accepted on verification: the standard's RS256/384/512, and PS256 / ES256. Never `none` or HMAC. */
export const FSPIOP_VERIFY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'] as const;

/** A registered public key of the sender: a certificate's key, imported once and reused. */
export interface VerificationKey {
  /** The certificate id, also accepted as `kid` in the protected header. */
  id: string;
  key: KeyObject;
}

/**
 * The sender's usable keys. Throws ERR_FSPIOP_UNKNOWN_SOURCE when it has none registered and
 * ERR_FSPIOP_CERTIFICATE_NOT_VALID when none is valid now.
 */
export type KeyResolver = (source: string) => readonly VerificationKey[] | Promise<readonly VerificationKey[]>;

export interface VerifiedFspiopRequest {
  source: string;
  destination: string | null;
  algorithm: string;
  certificateId: string;
  protectedHeader: Record<string, unknown>;
}

/** JOSE parameters that may appear besides the FSPIOP ones; anything else must name an HTTP header. */
const JOSE_ALLOWED = new Set(['alg', 'kid', 'typ', 'cty', 'x5t', 'x5t#S256']);
/** Refused: keys from the message itself or a URL, unencoded payloads, extensions Trustloop does not implement. */
const JOSE_REFUSED = new Set(['crit', 'jku', 'jwk', 'x5u', 'x5c', 'b64', 'zip', 'enc']);
/** Protected fields whose HTTP header is compared specially (or not at all, for URI and method). */
const FSPIOP_FIELDS = new Set(['fspiop-uri', 'fspiop-http-method', 'fspiop-source', 'fspiop-destination']);

const fail = (code: TrustloopError['code'], message: string): never => {
  throw new TrustloopError(code, message);
};

/** The `FSPIOP-Signature` header value: a JSON object with exactly `signature` and `protectedHeader`. */
export function parseSignatureHeader(value: string | undefined): { signature: string; protectedHeader: string } {
  if (value === undefined) return fail('ERR_FSPIOP_SIGNATURE_MISSING', 'the request has no FSPIOP-Signature header');
  const parsed = parseJsonObject(value, 'FSPIOP-Signature', 'ERR_FSPIOP_SIGNATURE_MALFORMED');
  const { signature, protectedHeader } = parsed;
  const extra = Object.keys(parsed).filter((key) => key !== 'signature' && key !== 'protectedHeader');
  if (extra.length > 0) fail('ERR_FSPIOP_SIGNATURE_MALFORMED', `FSPIOP-Signature has unknown member '${extra[0]}'`);
  if (typeof signature !== 'string' || signature.length === 0 || signature.length > 1024)
    fail(
      'ERR_FSPIOP_SIGNATURE_MALFORMED',
      'FSPIOP-Signature.signature must be a base64url string of 1-1024 characters',
    );
  if (typeof protectedHeader !== 'string' || protectedHeader.length === 0 || protectedHeader.length > 32_768)
    fail('ERR_FSPIOP_SIGNATURE_MALFORMED', 'FSPIOP-Signature.protectedHeader must be a string of 1-32768 characters');
  return { signature: signature as string, protectedHeader: protectedHeader as string };
}

/**
 * Checks the protected header against the request as the Signature standard's validation rules
 * say: `alg` allowed; FSPIOP-URI, FSPIOP-HTTP-Method and FSPIOP-Source present and equal to the
 * request; FSPIOP-Destination, Date and any other protected HTTP header equal to the request's;
 * FSPIOP-Encryption protected whenever the request carries it.
 */
export function checkProtectedHeader(
  header: Record<string, unknown>,
  request: FspiopRequest,
  algorithms: readonly string[] = FSPIOP_VERIFY_ALGORITHMS,
): { algorithm: string; source: string; destination: string | null } {
  const httpHeaders = lowerCaseHeaders(request.headers);
  const alg = header.alg;
  if (typeof alg !== 'string') return fail('ERR_FSPIOP_SIGNATURE_MALFORMED', 'the protected header has no alg');
  if (!algorithms.includes(alg))
    fail('ERR_FSPIOP_ALGORITHM', `alg '${alg.slice(0, 20)}' is not allowed; use ${algorithms.join(', ')}`);
  for (const name of ['FSPIOP-URI', 'FSPIOP-HTTP-Method', 'FSPIOP-Source']) {
    if (typeof header[name] !== 'string')
      fail('ERR_FSPIOP_SIGNATURE_MALFORMED', `the protected header has no ${name} (a string is required)`);
  }
  const mismatch = (name: string) => fail('ERR_FSPIOP_HEADER_MISMATCH', `${name} differs from the signed value`);
  if (header['FSPIOP-URI'] !== request.uri) mismatch('the request URI');
  const sentUri = httpHeaders.get('fspiop-uri');
  if (sentUri !== undefined && sentUri !== header['FSPIOP-URI']) mismatch('the FSPIOP-URI header');
  if (header['FSPIOP-HTTP-Method'] !== request.method.toUpperCase()) mismatch('the HTTP method');
  const sentMethod = httpHeaders.get('fspiop-http-method');
  if (sentMethod !== undefined && sentMethod !== header['FSPIOP-HTTP-Method'])
    mismatch('the FSPIOP-HTTP-Method header');
  const source = httpHeaders.get('fspiop-source');
  if (source === undefined) fail('ERR_FSPIOP_HEADER_MISMATCH', 'the request has no FSPIOP-Source header');
  if (source !== header['FSPIOP-Source']) mismatch('FSPIOP-Source');
  const destination = httpHeaders.get('fspiop-destination') ?? null;
  if ('FSPIOP-Destination' in header) {
    if (destination === null)
      fail('ERR_FSPIOP_HEADER_MISMATCH', 'FSPIOP-Destination is signed but the request has no such header');
    if (destination !== header['FSPIOP-Destination']) mismatch('FSPIOP-Destination');
  }
  if (httpHeaders.has('fspiop-encryption') && !('FSPIOP-Encryption' in header))
    fail('ERR_FSPIOP_HEADER_MISMATCH', 'FSPIOP-Encryption is sent but not protected by the signature');
  for (const [name, value] of Object.entries(header)) {
    if (JOSE_ALLOWED.has(name)) continue;
    if (JOSE_REFUSED.has(name))
      fail('ERR_FSPIOP_SIGNATURE_MALFORMED', `the protected header parameter '${name}' is not accepted`);
    const lower = name.toLowerCase();
    if (FSPIOP_FIELDS.has(lower)) continue;
    const sent = httpHeaders.get(lower);
    if (sent === undefined)
      fail('ERR_FSPIOP_HEADER_MISMATCH', `'${name.slice(0, 64)}' is signed but the request has no such header`);
    if (sent !== value) mismatch(`the ${name.slice(0, 64)} header`);
  }
  return { algorithm: alg, source: source!, destination };
}

/**
 * Verifies an incoming FSPIOP request: header rules first, then the JWS signature (by `jose`, on a
 * verification thread) over
 * the body bytes exactly as received, with the sender's registered key(s) found by FSPIOP-Source.
 * During a rotation overlap two keys are valid and either may have signed. Throws a
 * TrustloopError with a stable code naming the first failure.
 */
export async function verifyFspiopRequest(
  request: FspiopRequest,
  resolveKeys: KeyResolver,
  algorithms: readonly string[] = FSPIOP_VERIFY_ALGORITHMS,
): Promise<VerifiedFspiopRequest> {
  const { signature, protectedHeader } = parseSignatureHeader(
    lowerCaseHeaders(request.headers).get('fspiop-signature'),
  );
  const header = parseJsonObject(
    decodeBase64Url(protectedHeader, 'FSPIOP-Signature.protectedHeader'),
    'the protected header',
    'ERR_FSPIOP_SIGNATURE_MALFORMED',
  );
  decodeBase64Url(signature, 'FSPIOP-Signature.signature');
  const checked = checkProtectedHeader(header, request, algorithms);
  requireJsonBody(request.body);
  const keys = await resolveKeys(checked.source);
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const candidates = kid !== undefined && keys.some((k) => k.id === kid) ? keys.filter((k) => k.id === kid) : keys;
  const jws = { protected: protectedHeader, payload: request.body.toString('base64url'), signature };
  for (const candidate of candidates) {
    if (!fitsAlgorithm(candidate.key, checked.algorithm)) continue;
    const verdict = await verifyJws(jws, candidate.key, checked.algorithm);
    if ('malformed' in verdict)
      return fail('ERR_FSPIOP_SIGNATURE_MALFORMED', `the JWS is not well formed (${verdict.malformed})`);
    if (verdict.valid) return { ...checked, certificateId: candidate.id, protectedHeader: header };
  }
  return fail(
    'ERR_FSPIOP_SIGNATURE_INVALID',
    `the signature does not verify with any valid certificate of '${checked.source}'`,
  );
}

/** RS and PS need an RSA key of 2048 bits or more; ES256 a P-256 key. */
function fitsAlgorithm(key: KeyObject, algorithm: string): boolean {
  const details = key.asymmetricKeyDetails;
  if (algorithm.startsWith('RS') || algorithm.startsWith('PS'))
    return key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048;
  return key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1';
}
