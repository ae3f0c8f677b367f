import type { KeyPurpose, KeyType, KeyView } from '../api/types.js';

export type KeyPolicy = KeyView['policy'];
export type KeyOperation = KeyPolicy['operations'][number];

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

/** The operations a purpose allows; a key's policy may narrow them, never widen them (the server checks). */
export const OPERATIONS_BY_PURPOSE: Readonly<Record<KeyPurpose, readonly KeyOperation[]>> = {
  sign: ['sign', 'verify'],
  encrypt: ['encrypt', 'decrypt'],
  wrap: ['encrypt', 'decrypt'],
  mac: ['mac', 'verify-mac'],
};

/**
 * Hub roles granted `keys:use`, which a policy can name. A participant's own tokens may always use
 * the keys it owns, whatever roles the policy lists.
 */
export const POLICY_ROLES = ['admin', 'security-officer'] as const;

/** Only asymmetric keys have a public half to publish. */
export const isAsymmetric = (type: KeyType): boolean => type !== 'aes-256-gcm' && type !== 'hmac-sha256';

/** Rotated, disabled or enabled only while it is not on its way to destruction. */
export const isLive = (key: KeyView): boolean => key.status === 'enabled' || key.status === 'disabled';

/** When the next rotation falls due, or null for a key rotated by hand only. */
export const nextRotation = (key: KeyView): Date | null =>
  key.rotationPeriodDays === null
    ? null
    : new Date(Date.parse(key.lastRotatedAt) + key.rotationPeriodDays * 86_400_000);
