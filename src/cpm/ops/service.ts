import { createPublicKey, randomBytes, timingSafeEqual, verify as verifySignature, constants } from 'node:crypto';
import { promisify } from 'node:util';
import type { AuditService } from '../../audit/service.js';
import type { RequestContext } from '../../core/context.js';
import { TrustloopError, isTrustloopError } from '../../core/errors.js';
import type { KeyOperation, KeyService } from '../keys/service.js';
import { SIGNATURE_ALGORITHMS, type Keystore, type KeyType, type SignatureAlgorithm } from '../keystore/types.js';
import { findVersion } from '../keys/store.js';
import { checkDigest, verifyDigest } from '../keystore/prehashed.js';
import type { Database } from '../../core/db/database.js';

const verifyAsync = promisify(verifySignature);

/**
 * Every ciphertext, signature and MAC names the key version that made it, like Vault's `vault:vN:`,
 * so a key can rotate and older outputs still find their version.
 */
const VERSIONED = /^tl:v([1-9][0-9]{0,6}):([A-Za-z0-9_-]+)$/;

export const versioned = (version: number, bytes: Buffer): string => `tl:v${version}:${bytes.toString('base64url')}`;

export function parseVersioned(text: string, field: string): { version: number; bytes: Buffer } {
  const match = VERSIONED.exec(text);
  if (!match) throw new TrustloopError('ERR_MALFORMED_CIPHERTEXT', `${field} must look like tl:v<version>:<base64url>`);
  return { version: Number(match[1]), bytes: Buffer.from(match[2]!, 'base64url') };
}

export interface SignedItem {
  input: Buffer;
  signature: string;
}
export interface PlaintextItem {
  plaintext: Buffer;
  aad?: Buffer | undefined;
}
export interface CiphertextItem {
  ciphertext: string;
  aad?: Buffer | undefined;
}
export interface SignOptions {
  algorithm?: SignatureAlgorithm | undefined;
  /** The input is the message's digest (SHA-256, or SHA-384 for ES384), not the message. */
  prehashed?: boolean | undefined;
  /** What the caller signs for (e.g. an FSPIOP message's source), added to the operation's audit event. */
  auditDetails?: Record<string, unknown> | undefined;
  /** Sign with this key version instead of the latest (a CA signs with the key its certificate names). */
  version?: number | undefined;
}
/** One item of a batch: its result, or why that item alone failed. */
export type BatchResult<T> = T | { error: { code: string; message: string } };

const HASH_OF: Record<SignatureAlgorithm, string | null> = {
  RS256: 'sha256',
  PS256: 'sha256',
  ES256: 'sha256',
  ES384: 'sha384',
  EdDSA: null,
};

/**
 * The CPM's operations. Each is checked against the key's purpose, status and policy, runs inside
 * the keystore, and is audited with key id, version, operation, caller and outcome — never data.
 * A refused or failed operation is audited too, then reported.
 */
export class CryptoService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly keystore: Keystore,
    private readonly keys: KeyService,
  ) {}

  async sign(ctx: RequestContext, keyId: string, input: Buffer, options: SignOptions = {}) {
    return this.audited(
      ctx,
      keyId,
      'sign',
      () => this.signOnce(ctx, keyId, input, options),
      true,
      options.auditDetails,
    );
  }

  /** Verification uses the stored public key, so it works the same for software and HSM keys. */
  async verify(ctx: RequestContext, keyId: string, input: Buffer, signature: string, options: SignOptions = {}) {
    return this.audited(ctx, keyId, 'verify', () => this.verifyOnce(ctx, keyId, { input, signature }, options));
  }

  async encrypt(ctx: RequestContext, keyId: string, plaintext: Buffer, aad: Buffer | undefined) {
    return this.audited(ctx, keyId, 'encrypt', () => this.encryptOnce(ctx, keyId, { plaintext, aad }));
  }

  async decrypt(ctx: RequestContext, keyId: string, ciphertext: string, aad: Buffer | undefined) {
    return this.audited(ctx, keyId, 'decrypt', () => this.decryptOnce(ctx, keyId, { ciphertext, aad }));
  }

  /**
   * Batch forms, like Vault Transit's batch_input: one request, many items, each audited as its own
   * operation. A refusal of the key itself (unknown, disabled, policy) refuses the whole batch; an
   * item's own fault (a tampered ciphertext, a version below the minimum) is reported in its place.
   */
  signBatch(ctx: RequestContext, keyId: string, inputs: Buffer[], options: SignOptions = {}) {
    return this.batch(ctx, keyId, 'sign', inputs, (input) => this.signOnce(ctx, keyId, input, options));
  }

  verifyBatch(ctx: RequestContext, keyId: string, items: SignedItem[], options: SignOptions = {}) {
    return this.batch(ctx, keyId, 'verify', items, (item) => this.verifyOnce(ctx, keyId, item, options));
  }

  encryptBatch(ctx: RequestContext, keyId: string, items: PlaintextItem[]) {
    return this.batch(ctx, keyId, 'encrypt', items, (item) => this.encryptOnce(ctx, keyId, item));
  }

  decryptBatch(ctx: RequestContext, keyId: string, items: CiphertextItem[]) {
    return this.batch(ctx, keyId, 'decrypt', items, (item) => this.decryptOnce(ctx, keyId, item));
  }

  private async signOnce(ctx: RequestContext, keyId: string, input: Buffer, options: SignOptions) {
    const { key, ref } = await this.keys.forOperation(ctx, keyId, 'sign', options.version);
    const chosen = chooseAlgorithm(key.type as KeyType, options.algorithm);
    if (options.prehashed) checkDigest(chosen, input);
    const signature = await this.keystore.sign(ref, chosen, input, options.prehashed);
    return {
      result: { signature: versioned(ref.version, signature), algorithm: chosen, keyVersion: ref.version },
      version: ref.version,
    };
  }

  private async verifyOnce(ctx: RequestContext, keyId: string, item: SignedItem, options: SignOptions) {
    const parsed = parseVersioned(item.signature, 'signature');
    const { key, ref } = await this.keys.forOperation(ctx, keyId, 'verify', parsed.version);
    const chosen = chooseAlgorithm(key.type as KeyType, options.algorithm);
    const stored = await findVersion(this.database.db, keyId, ref.version);
    const publicKey = createPublicKey(stored!.public_key!);
    if (options.prehashed) {
      const valid = verifyDigest(publicKey, chosen, item.input, parsed.bytes);
      return { result: { valid, keyVersion: ref.version }, version: ref.version };
    }
    const verifyKey =
      chosen === 'PS256'
        ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : chosen.startsWith('ES')
          ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const }
          : publicKey;
    const valid = await verifyAsync(HASH_OF[chosen], item.input, verifyKey, parsed.bytes);
    return { result: { valid, keyVersion: ref.version }, version: ref.version };
  }

  private async encryptOnce(ctx: RequestContext, keyId: string, item: PlaintextItem) {
    const { key, ref } = await this.keys.forOperation(ctx, keyId, 'encrypt');
    if (item.aad && key.type !== 'aes-256-gcm')
      throw new TrustloopError('ERR_VALIDATION', 'additional authenticated data needs an aes-256-gcm key');
    const ciphertext = await this.keystore.encrypt(ref, item.plaintext, item.aad);
    return {
      result: { ciphertext: versioned(ref.version, ciphertext), keyVersion: ref.version },
      version: ref.version,
    };
  }

  private async decryptOnce(ctx: RequestContext, keyId: string, item: CiphertextItem) {
    const parsed = parseVersioned(item.ciphertext, 'ciphertext');
    const { ref } = await this.keys.forOperation(ctx, keyId, 'decrypt', parsed.version);
    const plaintext = await this.keystore.decrypt(ref, parsed.bytes, item.aad);
    return { result: { plaintext, keyVersion: ref.version }, version: ref.version };
  }

  /**
   * An envelope data key: 32 random bytes encrypted under the key, and (unless only the wrapped
   * form is asked for) the plaintext for the caller to use once and forget.
   */
  async dataKey(ctx: RequestContext, keyId: string, includePlaintext: boolean) {
    return this.audited(ctx, keyId, 'datakey', async () => {
      const { ref } = await this.keys.forOperation(ctx, keyId, 'encrypt');
      const plaintext = randomBytes(32);
      const ciphertext = await this.keystore.encrypt(ref, plaintext, undefined);
      const result = {
        ciphertext: versioned(ref.version, ciphertext),
        keyVersion: ref.version,
        ...(includePlaintext ? { plaintext: plaintext.toString('base64') } : {}),
      };
      plaintext.fill(0);
      return { result, version: ref.version };
    });
  }

  /** Re-encrypts under the latest version without the plaintext ever leaving the CPM. */
  async rewrap(ctx: RequestContext, keyId: string, ciphertext: string, aad: Buffer | undefined) {
    return this.audited(ctx, keyId, 'rewrap', async () => {
      const parsed = parseVersioned(ciphertext, 'ciphertext');
      const { ref: from } = await this.keys.forOperation(ctx, keyId, 'decrypt', parsed.version);
      const { ref: to } = await this.keys.forOperation(ctx, keyId, 'encrypt');
      const plaintext = await this.keystore.decrypt(from, parsed.bytes, aad);
      try {
        const rewrapped = await this.keystore.encrypt(to, plaintext, aad);
        return {
          result: { ciphertext: versioned(to.version, rewrapped), keyVersion: to.version },
          version: to.version,
        };
      } finally {
        plaintext.fill(0);
      }
    });
  }

  /** Random bytes from the operating system's CSPRNG (as OpenSSL and Vault's tools/random use). */
  async random(ctx: RequestContext, bytes: number): Promise<Buffer> {
    await this.audit.record(ctx, { action: 'random.generate', resource: { type: 'random' }, details: { bytes } });
    return randomBytes(bytes);
  }

  async mac(ctx: RequestContext, keyId: string, input: Buffer) {
    return this.audited(ctx, keyId, 'mac', async () => {
      const { ref } = await this.keys.forOperation(ctx, keyId, 'mac');
      const mac = await this.keystore.hmac(ref, input);
      return { result: { mac: versioned(ref.version, mac), keyVersion: ref.version }, version: ref.version };
    });
  }

  async verifyMac(ctx: RequestContext, keyId: string, input: Buffer, mac: string) {
    return this.audited(ctx, keyId, 'verify-mac', async () => {
      const parsed = parseVersioned(mac, 'mac');
      const { ref } = await this.keys.forOperation(ctx, keyId, 'verify-mac', parsed.version);
      const expected = await this.keystore.hmac(ref, input);
      const valid = expected.length === parsed.bytes.length && timingSafeEqual(expected, parsed.bytes);
      return { result: { valid, keyVersion: ref.version }, version: ref.version };
    });
  }

  private async batch<I, T>(
    ctx: RequestContext,
    keyId: string,
    operation: KeyOperation,
    items: I[],
    runOne: (item: I) => Promise<{ result: T; version: number }>,
  ): Promise<BatchResult<T>[]> {
    await this.audited(
      ctx,
      keyId,
      operation,
      async () => {
        await this.keys.forOperation(ctx, keyId, operation);
        return { result: undefined, version: 0 };
      },
      false,
    );
    return Promise.all(
      items.map(async (item) => {
        try {
          return await this.audited(ctx, keyId, operation, () => runOne(item));
        } catch (error) {
          if (!isTrustloopError(error) || error.code === 'ERR_AUDIT_UNAVAILABLE') throw error;
          return { error: { code: error.code, message: error.message } };
        }
      }),
    );
  }

  /**
   * Runs an operation once the keystore is open, and audits it whatever happens (a check that
   * succeeds is not an operation: `recordSuccess` false audits only its refusal).
   */
  private async audited<T>(
    ctx: RequestContext,
    keyId: string,
    operation: KeyOperation | 'datakey' | 'rewrap',
    run: () => Promise<{ result: T; version: number }>,
    recordSuccess = true,
    extraDetails: Record<string, unknown> = {},
  ): Promise<T> {
    if (this.keystore.sealed)
      throw new TrustloopError('ERR_SEALED', "the keystore is sealed; unseal it with the custodians' shares");
    let outcome: { result: T; version: number };
    try {
      outcome = await run();
    } catch (error) {
      const code = isTrustloopError(error) ? error.code : 'ERR_INTERNAL';
      await this.audit.record(ctx, {
        action: `key.${operation}`,
        resource: { type: 'key', id: keyId },
        outcome: code === 'ERR_INTERNAL' ? 'failure' : 'denied',
        errorCode: code,
        details: extraDetails,
      });
      throw error;
    }
    if (recordSuccess) {
      await this.audit.record(ctx, {
        action: `key.${operation}`,
        resource: { type: 'key', id: keyId },
        details: { ...extraDetails, version: outcome.version },
      });
    }
    return outcome.result;
  }
}

function chooseAlgorithm(type: KeyType, requested: SignatureAlgorithm | undefined): SignatureAlgorithm {
  const allowed = SIGNATURE_ALGORITHMS[type] ?? [];
  const chosen = requested ?? allowed[0];
  if (!chosen || !allowed.includes(chosen)) {
    throw new TrustloopError('ERR_VALIDATION', `a ${type} key signs with ${allowed.join(' or ')}`);
  }
  return chosen;
}
