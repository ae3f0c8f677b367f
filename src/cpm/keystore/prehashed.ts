import { constants, privateEncrypt, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { TrustloopError } from '../../core/errors.js';
import type { SignatureAlgorithm } from './types.js';

/**
 * Signing a digest the caller already computed (AWS KMS's MessageType DIGEST), for documents too
 * large to send. node:crypto only signs messages it hashes itself, so: RSA PKCS#1 v1.5 goes through
 * OpenSSL's private-key operation with PKCS#1 type 1 padding over the DigestInfo (what RSA_sign
 * does inside), and ECDSA through @noble/curves without its prehash. RSA-PSS and Ed25519 have no
 * digest form here: PSS would need the EMSA-PSS encoding written by hand, and Ed25519 signs messages.
 */
export const DIGEST_LENGTH: Partial<Record<SignatureAlgorithm, number>> = { RS256: 32, ES256: 32, ES384: 48 };

/** DER of DigestInfo { sha256, NULL } up to the digest (RFC 8017 section 9.2, note 1). */
export const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const CURVES = { ES256: p256, ES384: p384 } as const;

/** Refuses an algorithm without a digest form, or a digest of the wrong length, before any key is touched. */
export function checkDigest(algorithm: SignatureAlgorithm, digest: Buffer): void {
  const length = DIGEST_LENGTH[algorithm];
  if (length === undefined) {
    throw new TrustloopError('ERR_PREHASH_UNSUPPORTED', `${algorithm} cannot sign a precomputed digest`);
  }
  if (digest.length !== length) {
    throw new TrustloopError('ERR_VALIDATION', `a ${algorithm} digest is ${length} bytes, not ${digest.length}`);
  }
}

export function signDigest(key: KeyObject, algorithm: SignatureAlgorithm, digest: Buffer): Buffer {
  checkDigest(algorithm, digest);
  if (algorithm === 'RS256') {
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
  }
  const secret = Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url');
  try {
    return Buffer.from(CURVES[algorithm as keyof typeof CURVES].sign(digest, secret, { prehash: false, lowS: false }));
  } finally {
    secret.fill(0);
  }
}

export function verifyDigest(
  key: KeyObject,
  algorithm: SignatureAlgorithm,
  digest: Buffer,
  signature: Buffer,
): boolean {
  checkDigest(algorithm, digest);
  if (algorithm === 'RS256') {
    const expected = Buffer.concat([SHA256_DIGEST_INFO, digest]);
    let recovered: Buffer;
    try {
      recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      return false;
    }
    return recovered.length === expected.length && timingSafeEqual(recovered, expected);
  }
  const { x, y } = key.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(x!, 'base64url'), Buffer.from(y!, 'base64url')]);
  try {
    return CURVES[algorithm as keyof typeof CURVES].verify(signature, digest, point, { prehash: false, lowS: false });
  } catch {
    return false;
  }
}
