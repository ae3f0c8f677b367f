import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { AuditService } from '../../audit/service.js';
import { isoNow, systemClock, type Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import type { Database } from '../../core/db/database.js';
import { TrustloopError, invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { IMPORT_KEY_TYPE } from '../keystore/import.js';
import { SIGNATURE_ALGORITHMS, type GeneratedKey, type Keystore, type KeyVersionRef } from '../keystore/types.js';
import type { CreateKey, KeyView } from './schemas.js';
import type { KeyService } from './service.js';
import { claimImportToken, expiredImportTokens, deleteImportToken, insertImportToken } from './store.js';

const IMPORT_TOKEN_HOURS = 24;

export interface WrappedKey {
  importToken: string;
  /** RSA-OAEP(AES-256 key) ‖ AES-KWP(material), as the import parameters' algorithm says. */
  wrappedKey: Buffer;
  /** SPKI PEM of an asymmetric key's public half; checked against the imported private half. */
  publicKey?: string | undefined;
}

/**
 * Bring your own key: one-time import parameters (an RSA-3072 public key whose private half stays
 * in the keystore), then the wrapped key, unwrapped inside the keystore. A token serves one import
 * and lasts 24 hours; the caller's participant scope binds it.
 */
export class KeyImportService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly keystore: Keystore,
    private readonly keys: KeyService,
    private readonly clock: Clock = systemClock,
  ) {}

  async parameters(ctx: RequestContext) {
    const id = newId('imp');
    const generated = await this.keystore.generateImportKey({ keyId: id, version: 1 });
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + IMPORT_TOKEN_HOURS * 3_600_000).toISOString();
    await this.database.transaction(async (tx) => {
      await insertImportToken(tx, {
        id,
        backend: this.keystore.backend,
        algorithm: this.keystore.importAlgorithm,
        material: generated.material,
        public_key: generated.publicKeyPem!,
        participant_id: ctx.actor.participantId,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
      });
      await this.audit.append(tx, ctx, {
        action: 'key.import.prepare',
        resource: { type: 'import-token', id },
        details: { algorithm: this.keystore.importAlgorithm, expiresAt },
      });
    });
    return {
      importToken: id,
      algorithm: this.keystore.importAlgorithm,
      wrappingKeyType: IMPORT_KEY_TYPE,
      publicKey: generated.publicKeyPem!,
      expiresAt,
    };
  }

  importKey(ctx: RequestContext, input: CreateKey, wrapped: WrappedKey): Promise<KeyView> {
    return this.audited(ctx, null, () =>
      this.keys.createWith(ctx, input, 'imported', (ref) => this.unwrap(ctx, ref, wrapped)),
    );
  }

  importVersion(ctx: RequestContext, keyId: string, wrapped: WrappedKey): Promise<KeyView> {
    return this.audited(ctx, keyId, () =>
      this.keys.rotateWith(ctx, keyId, 'imported', (ref) => this.unwrap(ctx, ref, wrapped)),
    );
  }

  /** Destroys the import keys of tokens that expired unused (run by the key-lifecycle job). */
  async sweepExpired(): Promise<number> {
    const expired = await expiredImportTokens(this.database.db, isoNow(this.clock));
    for (const token of expired) {
      await this.keystore.destroy(importKeyRef(token.id, token.material));
      await deleteImportToken(this.database.db, token.id);
    }
    return expired.length;
  }

  /** Refusals are audited like any other refused change; successes by the key service. */
  private async audited(ctx: RequestContext, keyId: string | null, run: () => Promise<KeyView>): Promise<KeyView> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TrustloopError && error.code !== 'ERR_AUDIT_UNAVAILABLE') {
        await this.audit.record(ctx, {
          action: keyId ? 'key.import-version' : 'key.import',
          resource: { type: 'key', id: keyId },
          outcome: 'denied',
          errorCode: error.code,
        });
      }
      throw error;
    }
  }

  private async unwrap(
    ctx: RequestContext,
    target: Omit<KeyVersionRef, 'material'>,
    wrapped: WrappedKey,
  ): Promise<GeneratedKey> {
    const token = await claimImportToken(this.database.db, {
      id: wrapped.importToken,
      participantId: ctx.actor.participantId,
      now: isoNow(this.clock),
    });
    if (!token) {
      throw new TrustloopError('ERR_IMPORT_TOKEN_INVALID', 'the import token is unknown, used or expired');
    }
    const importKey = importKeyRef(token.id, token.material);
    try {
      const made = await this.keystore.importWrapped(importKey, target, wrapped.wrappedKey, wrapped.publicKey ?? null);
      await this.checkPair(target, made, wrapped.publicKey);
      return made;
    } finally {
      await this.keystore.destroy(importKey).catch(() => undefined);
    }
  }

  /**
   * A pairwise consistency test: the imported private half signs a random challenge that the
   * claimed public half must verify. On a mismatch the imported material is destroyed.
   */
  private async checkPair(
    target: Omit<KeyVersionRef, 'material'>,
    made: GeneratedKey,
    claimed: string | undefined,
  ): Promise<void> {
    const algorithm = SIGNATURE_ALGORITHMS[target.type]?.[0];
    if (!algorithm || !made.publicKeyPem) return;
    let publicKey;
    try {
      publicKey = createPublicKey(claimed ?? made.publicKeyPem);
    } catch {
      await this.keystore.destroy({ ...target, material: made.material });
      throw invalid('publicKey', 'is not an SPKI public key in PEM');
    }
    const challenge = randomBytes(32);
    const signature = await this.keystore.sign({ ...target, material: made.material }, algorithm, challenge);
    const hash = algorithm === 'EdDSA' ? null : algorithm === 'ES384' ? 'sha384' : 'sha256';
    const options = algorithm.startsWith('ES') ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
    const matches = verify(hash, challenge, options, signature) && (!claimed || samePem(claimed, made.publicKeyPem));
    if (!matches) {
      await this.keystore.destroy({ ...target, material: made.material });
      throw new TrustloopError('ERR_IMPORT_MISMATCH', 'the public key does not belong to the imported private key');
    }
  }
}

const importKeyRef = (id: string, material: string): KeyVersionRef => ({
  keyId: id,
  version: 1,
  type: IMPORT_KEY_TYPE,
  material,
});

/** Two PEM texts of the same SPKI, whatever their line wrapping. */
function samePem(a: string, b: string): boolean {
  const der = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return der(a).equals(der(b));
}
