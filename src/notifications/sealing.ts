import { systemContext, type RequestContext } from '../core/context.js';
import { TrustloopError, isTrustloopError } from '../core/errors.js';
import type { KeyService } from '../cpm/keys/service.js';
import type { CryptoService } from '../cpm/ops/service.js';

/** The actor the outbox uses the CPM as: its key's policy lets only this role encrypt and decrypt. */
export const NOTIFIER_ROLE = 'notifications-service';
export const SEALING_KEY_NAME = 'notifications-webhook-secrets';

const notifierContext = (ctx: RequestContext): RequestContext => ({
  ...ctx,
  actor: { type: 'system', id: 'notifications', role: NOTIFIER_ROLE, participantId: null },
});

/**
 * Webhook signing secrets must be readable by the server (it computes the HMAC), so unlike API
 * tokens they cannot be stored hashed. They are sealed by an AES-256-GCM key in the CPM, with the
 * subscription id as associated data (a sealed secret copied to another row does not open).
 * Opened secrets are kept in memory, so a delivery costs a CPM operation only once per process.
 */
export class SecretSeal {
  private keyId: string | undefined;
  private readonly opened = new Map<string, Buffer>();

  constructor(
    private readonly keys: KeyService,
    private readonly crypto: CryptoService,
  ) {}

  async seal(ctx: RequestContext, subscriptionId: string, secret: Buffer): Promise<{ keyId: string; sealed: string }> {
    const keyId = await this.sealingKey(ctx);
    const { ciphertext } = await this.crypto.encrypt(notifierContext(ctx), keyId, secret, Buffer.from(subscriptionId));
    this.opened.set(subscriptionId, secret);
    return { keyId, sealed: ciphertext };
  }

  async open(ctx: RequestContext, subscriptionId: string, keyId: string, sealed: string): Promise<Buffer> {
    const cached = this.opened.get(subscriptionId);
    if (cached) return cached;
    const { plaintext } = await this.crypto.decrypt(notifierContext(ctx), keyId, sealed, Buffer.from(subscriptionId));
    this.opened.set(subscriptionId, plaintext);
    return plaintext;
  }

  forget(subscriptionId: string): void {
    this.opened.delete(subscriptionId);
  }

  /** The one sealing key, made in the CPM on first use; two first uses at once settle on one key. */
  private async sealingKey(ctx: RequestContext): Promise<string> {
    if (this.keyId) return this.keyId;
    const existing = await this.find();
    if (existing) return (this.keyId = existing);
    try {
      const created = await this.keys.create(notifierContext(ctx), {
        name: SEALING_KEY_NAME,
        type: 'aes-256-gcm',
        purpose: 'encrypt',
        rotationPeriodDays: 365,
        policy: { roles: [NOTIFIER_ROLE], operations: ['encrypt', 'decrypt'] },
      });
      return (this.keyId = created.id);
    } catch (error) {
      const raced = isTrustloopError(error) && error.code === 'ERR_CONFLICT' ? await this.find() : undefined;
      if (raced) return (this.keyId = raced);
      throw error;
    }
  }

  private async find(): Promise<string | undefined> {
    const all = await this.keys.list(systemContext());
    const key = all.find((k) => k.name === SEALING_KEY_NAME);
    if (key && key.status !== 'enabled')
      throw new TrustloopError('ERR_KEY_DISABLED', `the webhook sealing key '${key.id}' is ${key.status}`);
    return key?.id;
  }
}
