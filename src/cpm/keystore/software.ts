import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { TrustloopError } from '../../core/errors.js';
import { IMPORT_KEY_TYPE, checkMaterial, importFailed, splitWrapped, unwrapMaterial } from './import.js';
import { signDigest } from './prehashed.js';
import { signerPool } from './signer-pool.js';
import type { GeneratedKey, Keystore, KeyType, KeyVersionRef, SignatureAlgorithm } from './types.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const generateKeyPairAsync = promisify(generateKeyPair) as (
  type: string,
  options: Record<string, unknown>,
) => Promise<{ privateKey: KeyObject; publicKey: KeyObject }>;

/** AES-256-GCM with a random 96-bit nonce: iv ‖ ciphertext ‖ tag. */
export function sealBytes(key: KeyObject | Buffer, plaintext: Buffer, aad: Buffer | undefined): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Reverses `sealBytes`; a wrong key, AAD or any flipped bit is ERR_DECRYPTION_FAILED. */
export function openBytes(key: KeyObject | Buffer, sealed: Buffer, aad: Buffer | undefined): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) {
    throw new TrustloopError('ERR_MALFORMED_CIPHERTEXT', 'the ciphertext is too short to hold a nonce and a tag');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new TrustloopError('ERR_DECRYPTION_FAILED', 'the ciphertext does not authenticate under this key and AAD');
  }
}

const KEY_PAIR_OPTIONS: Partial<Record<KeyType, [string, Record<string, unknown>]>> = {
  'rsa-2048': ['rsa', { modulusLength: 2048 }],
  'rsa-3072': ['rsa', { modulusLength: 3072 }],
  'rsa-4096': ['rsa', { modulusLength: 4096 }],
  'ec-p256': ['ec', { namedCurve: 'P-256' }],
  'ec-p384': ['ec', { namedCurve: 'P-384' }],
  ed25519: ['ed25519', {}],
};

/** Material is bound to its key and version: moving wrapped bytes to another row fails to unwrap. */
const materialAad = (ref: Pick<KeyVersionRef, 'keyId' | 'version'>): Buffer =>
  Buffer.from(`trustloop:key:${ref.keyId}:v${ref.version}`);

/**
 * Keys generated and used in this process, stored only wrapped under the master key (AES-256-GCM,
 * key id and version as AAD). The master key exists only in memory, after an unseal.
 */
export class SoftwareKeystore implements Keystore {
  readonly backend = 'software';
  private master: Buffer | null = null;
  /** Parsed keys by `keyId:version`: parsing a private key on every call costs two thirds of a signature. */
  private readonly cache = new Map<string, KeyObject>();
  /** Names this keystore's keys in the signing threads, which serve every keystore of the process. */
  private readonly signerPrefix = `${randomUUID()}:`;

  get sealed(): boolean {
    return this.master === null;
  }

  unsealWith(master: Buffer): void {
    this.master = Buffer.from(master);
  }

  seal(): void {
    this.master?.fill(0);
    this.master = null;
    this.cache.clear();
    signerPool.forget(this.signerPrefix);
  }

  async close(): Promise<void> {
    this.seal();
  }

  async generate(ref: Omit<KeyVersionRef, 'material'>): Promise<GeneratedKey> {
    const master = this.requireMaster();
    const pair = KEY_PAIR_OPTIONS[ref.type];
    if (!pair) {
      return { material: sealBytes(master, randomBytes(32), materialAad(ref)).toString('base64'), publicKeyPem: null };
    }
    const { privateKey, publicKey } = await generateKeyPairAsync(pair[0], pair[1]);
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    return {
      material: sealBytes(master, der, materialAad(ref)).toString('base64'),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }

  readonly importAlgorithm = 'RSA_AES_KEY_WRAP_SHA_256';

  generateImportKey(ref: Pick<KeyVersionRef, 'keyId' | 'version'>): Promise<GeneratedKey> {
    return this.generate({ ...ref, type: IMPORT_KEY_TYPE });
  }

  async importWrapped(
    importKey: KeyVersionRef,
    target: Omit<KeyVersionRef, 'material'>,
    wrapped: Buffer,
  ): Promise<GeneratedKey> {
    const master = this.requireMaster();
    const { wrappedAesKey, wrappedMaterial } = splitWrapped(wrapped);
    let aesKey: Buffer;
    try {
      aesKey = privateDecrypt(
        { key: this.keyOf(importKey), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        wrappedAesKey,
      );
    } catch {
      throw importFailed('does not open with this import token (RSA-OAEP with SHA-256 expected)');
    }
    const material = unwrapMaterial(aesKey, wrappedMaterial);
    aesKey.fill(0);
    try {
      const privateKey = checkMaterial(target.type, material);
      return {
        material: sealBytes(master, material, materialAad(target)).toString('base64'),
        publicKeyPem: privateKey
          ? createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString()
          : null,
      };
    } finally {
      material.fill(0);
    }
  }

  async sign(ref: KeyVersionRef, algorithm: SignatureAlgorithm, data: Buffer, prehashed = false): Promise<Buffer> {
    const key = this.keyOf(ref);
    if (prehashed) return signDigest(key, algorithm, data);
    return signerPool.sign(this.signerName(ref), key, algorithm, data);
  }

  async encrypt(ref: KeyVersionRef, plaintext: Buffer, aad: Buffer | undefined): Promise<Buffer> {
    const key = this.keyOf(ref);
    if (ref.type === 'aes-256-gcm') return sealBytes(key, plaintext, aad);
    return publicEncrypt(
      { key: createPublicKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      plaintext,
    );
  }

  async decrypt(ref: KeyVersionRef, ciphertext: Buffer, aad: Buffer | undefined): Promise<Buffer> {
    const key = this.keyOf(ref);
    if (ref.type === 'aes-256-gcm') return openBytes(key, ciphertext, aad);
    try {
      return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ciphertext);
    } catch {
      throw new TrustloopError('ERR_DECRYPTION_FAILED', 'the ciphertext does not decrypt under this key');
    }
  }

  async hmac(ref: KeyVersionRef, data: Buffer): Promise<Buffer> {
    return createHmac('sha256', this.keyOf(ref)).update(data).digest();
  }

  async destroy(ref: KeyVersionRef): Promise<void> {
    this.cache.delete(`${ref.keyId}:${ref.version}`);
    signerPool.forget(this.signerName(ref));
  }

  /** Ends with a separator so that forgetting version 1 leaves version 10 alone. */
  private signerName(ref: KeyVersionRef): string {
    return `${this.signerPrefix}${ref.keyId}:${ref.version}/`;
  }

  private keyOf(ref: KeyVersionRef): KeyObject {
    const cacheKey = `${ref.keyId}:${ref.version}`;
    let key = this.cache.get(cacheKey);
    if (!key) {
      const raw = openBytes(this.requireMaster(), Buffer.from(ref.material, 'base64'), materialAad(ref));
      key = KEY_PAIR_OPTIONS[ref.type]
        ? createPrivateKey({ key: raw, format: 'der', type: 'pkcs8' })
        : createSecretKey(raw);
      raw.fill(0);
      this.cache.set(cacheKey, key);
    }
    return key;
  }

  private requireMaster(): Buffer {
    if (!this.master)
      throw new TrustloopError('ERR_SEALED', "the keystore is sealed; unseal it with the custodians' shares");
    return this.master;
  }
}
