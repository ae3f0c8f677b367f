import type { ImportAlgorithm } from './import.js';

/**
 * The one interface both keystores implement. Callers never see key material: they hand over the
 * `material` reference stored with a key version (wrapped bytes for the software keystore, a token
 * object label for PKCS#11) and get results back.
 */
export const KEY_TYPES = [
  'aes-256-gcm',
  'hmac-sha256',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ec-p256',
  'ec-p384',
  'ed25519',
] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const KEY_PURPOSES = ['sign', 'encrypt', 'wrap', 'mac'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** Which purposes each key type can serve. */
export const PURPOSES_BY_TYPE: Record<KeyType, readonly KeyPurpose[]> = {
  'aes-256-gcm': ['encrypt', 'wrap'],
  'hmac-sha256': ['mac'],
  'rsa-2048': ['sign', 'encrypt', 'wrap'],
  'rsa-3072': ['sign', 'encrypt', 'wrap'],
  'rsa-4096': ['sign', 'encrypt', 'wrap'],
  'ec-p256': ['sign'],
  'ec-p384': ['sign'],
  ed25519: ['sign'],
};

/** Security strength in bits (NIST SP 800-57 Part 1, table 2): what PCI DSS "strong cryptography" is judged by. */
export const STRENGTH_BITS: Record<KeyType, number> = {
  'aes-256-gcm': 256,
  'hmac-sha256': 256,
  'rsa-2048': 112,
  'rsa-3072': 128,
  'rsa-4096': 152,
  'ec-p256': 128,
  'ec-p384': 192,
  ed25519: 128,
};

export const isAsymmetric = (type: KeyType): boolean =>
  type.startsWith('rsa-') || type.startsWith('ec-') || type === 'ed25519';

export type SignatureAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';

/** The signature algorithms a key type can produce; the first is the default. */
export const SIGNATURE_ALGORITHMS: Partial<Record<KeyType, readonly SignatureAlgorithm[]>> = {
  'rsa-2048': ['RS256', 'PS256'],
  'rsa-3072': ['RS256', 'PS256'],
  'rsa-4096': ['RS256', 'PS256'],
  'ec-p256': ['ES256'],
  'ec-p384': ['ES384'],
  ed25519: ['EdDSA'],
};

/** Where a version's material lives, as the keystore reported it at generation. */
export interface GeneratedKey {
  material: string;
  /** SPKI PEM for asymmetric keys; null for secret keys. */
  publicKeyPem: string | null;
}

/** Binds wrapped material to its key and version, so material cannot be moved between them. */
export interface KeyVersionRef {
  keyId: string;
  version: number;
  type: KeyType;
  material: string;
}

export interface SealStatus {
  backend: 'software' | 'pkcs11';
  initialized: boolean;
  sealed: boolean;
  threshold: number | null;
  shares: number | null;
  /** Shares accepted so far towards the threshold (software keystore). */
  progress: number;
}

export interface Keystore {
  readonly backend: 'software' | 'pkcs11';
  /** True while no operation can run (software: before the unseal ceremony; PKCS#11: before login). */
  readonly sealed: boolean;
  /** Forgets the master key (software) or logs out of the token (PKCS#11). */
  close(): Promise<void>;
  generate(ref: Omit<KeyVersionRef, 'material'>): Promise<GeneratedKey>;
  /**
   * Signs with the key's private half. Signatures are in JOSE form (ECDSA as r‖s). With
   * `prehashed`, `data` is the message's digest (RS256, ES256, ES384 only; see prehashed.ts).
   */
  sign(ref: KeyVersionRef, algorithm: SignatureAlgorithm, data: Buffer, prehashed?: boolean): Promise<Buffer>;
  /** AES-256-GCM: returns iv ‖ ciphertext ‖ tag. RSA: RSA-OAEP with SHA-256. */
  encrypt(ref: KeyVersionRef, plaintext: Buffer, aad: Buffer | undefined): Promise<Buffer>;
  decrypt(ref: KeyVersionRef, ciphertext: Buffer, aad: Buffer | undefined): Promise<Buffer>;
  hmac(ref: KeyVersionRef, data: Buffer): Promise<Buffer>;
  /** How keys to import must be wrapped for this keystore (the RSA-OAEP hash differs by HSM). */
  readonly importAlgorithm: ImportAlgorithm;
  /** A one-time RSA-3072 key pair that can only unwrap keys being imported. */
  generateImportKey(ref: Pick<KeyVersionRef, 'keyId' | 'version'>): Promise<GeneratedKey>;
  /**
   * Unwraps `wrapped` (see import.ts) with the import key and keeps the material as `target`; the
   * plaintext key never leaves the keystore (PKCS#11: C_UnwrapKey). `publicKeyPem` is the caller's
   * claim of the public half, checked by the caller; a token that cannot derive it uses it.
   */
  importWrapped(
    importKey: KeyVersionRef,
    target: Omit<KeyVersionRef, 'material'>,
    wrapped: Buffer,
    publicKeyPem: string | null,
  ): Promise<GeneratedKey>;
  /** Makes the version's material unusable for good (the HSM object is deleted). */
  destroy(ref: KeyVersionRef): Promise<void>;
}
