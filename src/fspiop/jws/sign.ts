import { TrustloopError } from '../../core/errors.js';
import { lowerCaseHeaders, requireJsonBody, type FspiopRequest } from '../message.js';

/** Algorithms Trustloop signs FSPIOP messages with: the standard's RS256, and PS256 / ES256 as the SDK and RFC 7518 allow. */
export const FSPIOP_SIGNING_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;
export type FspiopSigningAlgorithm = (typeof FSPIOP_SIGNING_ALGORITHMS)[number];

/** Produces the raw JWS signature over the signing input: a CPM key, or a KeyObject in tests and tools. */
export type JwsSigner = (signingInput: Buffer, algorithm: FspiopSigningAlgorithm) => Promise<Buffer>;

export interface SignedFspiopHeaders {
  /** The value of the `FSPIOP-Signature` header. */
  'FSPIOP-Signature': string;
  /** Sent alongside as HTTP headers too, as Mojaloop's SDK validator requires them. */
  'FSPIOP-URI': string;
  'FSPIOP-HTTP-Method': string;
}

/**
 * The JWS Protected Header for a request, in the order of the standard's worked example: `alg`,
 * `FSPIOP-Destination` (when the header is present), `FSPIOP-URI`, `FSPIOP-HTTP-Method`, `Date` (when
 * present), `FSPIOP-Source`, and `FSPIOP-Encryption` when fields are encrypted (the Encryption
 * standard requires it to be protected).
 */
export function protectedHeaderFor(request: FspiopRequest, algorithm: FspiopSigningAlgorithm): Record<string, string> {
  const headers = lowerCaseHeaders(request.headers);
  const source = headers.get('fspiop-source');
  if (!source) throw new TrustloopError('ERR_VALIDATION', 'headers: FSPIOP-Source is required to sign');
  if (!/^\/[\x21-\x7e]*$/.test(request.uri))
    throw new TrustloopError('ERR_VALIDATION', 'uri: must be the path and query of the request, starting with /');
  const header: Record<string, string> = { alg: algorithm };
  const destination = headers.get('fspiop-destination');
  if (destination !== undefined) header['FSPIOP-Destination'] = destination;
  header['FSPIOP-URI'] = request.uri;
  header['FSPIOP-HTTP-Method'] = request.method.toUpperCase();
  const date = headers.get('date');
  if (date !== undefined) header.Date = date;
  header['FSPIOP-Source'] = source;
  const encryption = headers.get('fspiop-encryption');
  if (encryption !== undefined) header['FSPIOP-Encryption'] = encryption;
  return header;
}

/** ASCII(BASE64URL(UTF8(protected header)) || '.' || BASE64URL(body)), RFC 7515 §5.1. */
export function signingInput(encodedHeader: string, body: Buffer): Buffer {
  return Buffer.from(`${encodedHeader}.${body.toString('base64url')}`, 'ascii');
}

/**
 * Signs an FSPIOP request over its exact body bytes and returns the headers to add. The signing
 * input is assembled here and signed by `signer`, so an HSM key that jose cannot reach signs too.
 *
 * @example
 * const headers = await signFspiopRequest(request, 'RS256', cpmSigner(app, ctx, keyId));
 */
export async function signFspiopRequest(
  request: FspiopRequest,
  algorithm: FspiopSigningAlgorithm,
  signer: JwsSigner,
): Promise<{ headers: SignedFspiopHeaders; protectedHeader: Record<string, string> }> {
  requireJsonBody(request.body);
  const header = protectedHeaderFor(request, algorithm);
  const encodedHeader = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  const signature = await signer(signingInput(encodedHeader, request.body), algorithm);
  return {
    headers: {
      'FSPIOP-Signature': JSON.stringify({
        signature: signature.toString('base64url'),
        protectedHeader: encodedHeader,
      }),
      'FSPIOP-URI': header['FSPIOP-URI']!,
      'FSPIOP-HTTP-Method': header['FSPIOP-HTTP-Method']!,
    },
    protectedHeader: header,
  };
}
