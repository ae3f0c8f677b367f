import { createDecipheriv, createPrivateKey, type KeyObject } from 'node:crypto';
import { TrustloopError } from '../../core/errors.js';
import type { KeyType } from './types.js';

/**
 * BYOK, the way AWS KMS and Vault take keys generated elsewhere: the CPM hands out the public half
 * of a one-time RSA-3072 import key; the owner wraps its key material under a fresh AES-256 key with
 * AES key wrap with padding (RFC 5649) and that AES key under RSA-OAEP, and sends
 * RSA-OAEP(aes key) ‖ AES-KWP(material). Material is the raw secret (AES, HMAC) or PKCS#8 DER.
 */
export const IMPORT_ALGORITHMS = ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'] as const;
export type ImportAlgorithm = (typeof IMPORT_ALGORITHMS)[number];

/** Import keys are RSA-3072: 128-bit strength, as the keys they carry.*/
export const IMPORT_KEY_TYPE = 'rsa-3072' satisfies KeyType;
/** The RSA-3072 import key's block: the first this many bytes of a wrapped key. */
export const IMPORT_RSA_BYTES = 384;
/** RFC 5649's alternative initial value, which OpenSSL's id-aes256-wrap-pad takes as its IV. */
export const KWP_IV = Buffer.from('a65959a6', 'hex');

export const importFailed = (why: string) => new TrustloopError('ERR_IMPORT_FAILED', `the wrapped key ${why}`);

/** Splits a wrapped key into its RSA-OAEP block and its AES-KWP block. */
export function splitWrapped(wrapped: Buffer): { wrappedAesKey: Buffer; wrappedMaterial: Buffer } {
  if (wrapped.length < IMPORT_RSA_BYTES + 16 || (wrapped.length - IMPORT_RSA_BYTES) % 8 !== 0) {
    throw importFailed(`must be ${IMPORT_RSA_BYTES} bytes of RSA-OAEP followed by an AES key wrap (RFC 5649)`);
  }
  return { wrappedAesKey: wrapped.subarray(0, IMPORT_RSA_BYTES), wrappedMaterial: wrapped.subarray(IMPORT_RSA_BYTES) };
}

/** AES key unwrap with padding through OpenSSL; a wrong key or altered bytes fail its integrity check. */
export function unwrapMaterial(aesKey: Buffer, wrappedMaterial: Buffer): Buffer {
  try {
    const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, KWP_IV);
    return Buffer.concat([decipher.update(wrappedMaterial), decipher.final()]);
  } catch {
    throw importFailed('failed the AES key wrap integrity check');
  }
}

/** Sizes a secret key may have: AES-256 exactly, HMAC-SHA256 from its output size to its block size. */
export const SECRET_BYTES = { 'aes-256-gcm': [32, 32], 'hmac-sha256': [32, 64] } as const;

/**
 * A token may not report an unwrapped secret's length (SoftHSM2 gives CKA_VALUE_LEN 0), but AES key
 * wrap with padding tells it: 8 bytes of integrity block plus the key rounded up to 8 bytes.
 */
export function checkWrappedSecretLength(type: KeyType, wrappedMaterial: Buffer): void {
  const [min, max] = SECRET_BYTES[type as keyof typeof SECRET_BYTES];
  const wrappedSize = (bytes: number) => 8 + Math.ceil(bytes / 8) * 8;
  if (wrappedMaterial.length < wrappedSize(min) || wrappedMaterial.length > wrappedSize(max)) {
    throw importFailed(`does not fit ${type}, whose keys are ${sizeText(type)}`);
  }
}

function sizeText(type: KeyType): string {
  const [min, max] = SECRET_BYTES[type as keyof typeof SECRET_BYTES];
  return min === max ? `${min} bytes` : `${min} to ${max} bytes`;
}

const PAIR_TYPES: Partial<Record<KeyType, { kind: string; bits?: number; curve?: string }>> = {
  'rsa-2048': { kind: 'rsa', bits: 2048 },
  'rsa-3072': { kind: 'rsa', bits: 3072 },
  'rsa-4096': { kind: 'rsa', bits: 4096 },
  'ec-p256': { kind: 'ec', curve: 'prime256v1' },
  'ec-p384': { kind: 'ec', curve: 'secp384r1' },
  ed25519: { kind: 'ed25519' },
};

/** Checks unwrapped material is a key of the declared type; returns the parsed private key, or null for secrets. */
export function checkMaterial(type: KeyType, material: Buffer): KeyObject | null {
  const expected = PAIR_TYPES[type];
  if (!expected) {
    const [min, max] = SECRET_BYTES[type as keyof typeof SECRET_BYTES];
    if (material.length < min || material.length > max) {
      throw importFailed(`holds ${material.length} bytes; ${type} keys are ${sizeText(type)}`);
    }
    return null;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
  } catch {
    throw importFailed('does not hold a PKCS#8 private key');
  }
  const details = key.asymmetricKeyDetails ?? {};
  const matches =
    key.asymmetricKeyType === expected.kind &&
    (expected.bits === undefined || details.modulusLength === expected.bits) &&
    (expected.curve === undefined || details.namedCurve === expected.curve);
  if (!matches) throw importFailed(`holds a ${describe(key)} key, not ${type}`);
  return key;
}

function describe(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  return [key.asymmetricKeyType, details.modulusLength, details.namedCurve].filter(Boolean).join(' ');
}
