import type { KeyPurpose, KeyType } from '../api/types.js';

/**
 * What each key type may be created for; the server refuses any other pairing, so the form offers
 * only these; the first is the form's default.
 */
export const PURPOSES_BY_TYPE: Readonly<Record<KeyType, readonly [KeyPurpose, ...KeyPurpose[]]>> = {
  'aes-256-gcm': ['encrypt', 'wrap'],
  'hmac-sha256': ['mac'],
  'rsa-2048': ['sign', 'encrypt', 'wrap'],
  'rsa-3072': ['sign', 'encrypt', 'wrap'],
  'rsa-4096': ['sign', 'encrypt', 'wrap'],
  'ec-p256': ['sign'],
  'ec-p384': ['sign'],
  ed25519: ['sign'],
};

export const KEY_TYPES = Object.keys(PURPOSES_BY_TYPE) as KeyType[];

export const isKeyType = (value: string): value is KeyType => value in PURPOSES_BY_TYPE;

/** Only asymmetric keys have a public half to publish. */
export const isAsymmetric = (type: KeyType): boolean => type !== 'aes-256-gcm' && type !== 'hmac-sha256';
