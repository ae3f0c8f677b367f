import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import type { AuditService } from '../../audit/service.js';
import { isoNow } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import type { Database } from '../../core/db/database.js';
import { TrustloopError } from '../../core/errors.js';
import { openBytes, sealBytes, type SoftwareKeystore } from './software.js';
import { Pkcs11Keystore } from './pkcs11.js';
import type { Keystore, SealStatus } from './types.js';

const SHARE_PREFIX = 'tlks1-';
/** 32 bytes of the master key's share plus the x coordinate the library appends. */
const SHARE_BYTES = 33;
const VERIFIER_TEXT = Buffer.from('trustloop keystore verifier');
const VERIFIER_AAD = Buffer.from('trustloop:keystore');
export const DEV_SHARE_FILE = 'dev-unseal-share';

export interface InitOptions {
  shares: number;
  threshold: number;
}

/**
 * The key ceremony of the software keystore. `init` makes a master key, splits it into custodian
 * shares (Shamir over GF(2^8), audited library) and forgets it; `unseal` takes shares one at a
 * time, as custodians arrive, and rebuilds it once the threshold is reached. Shares and the master
 * key never touch the database, a log line or an audit event.
 */
export class KeystoreCeremony {
  /** Shares presented so far, in memory only, until the threshold is reached or one fails. */
  private pending: Uint8Array[] = [];

  /** `software` is null when keys live in a PKCS#11 token: the token's own login replaces the ceremony. */
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly keystore: Keystore,
    private readonly software: SoftwareKeystore | null,
  ) {}

  /** Opens a PKCS#11 keystore (login with its PIN); the software keystore waits for its custodians. */
  async start(ctx: RequestContext): Promise<void> {
    if (this.software || !(this.keystore instanceof Pkcs11Keystore)) return;
    await this.keystore.open();
    await this.audit.record(ctx, { action: 'keystore.open', resource: { type: 'keystore', id: 'pkcs11' } });
  }

  async status(): Promise<SealStatus> {
    if (!this.software) {
      return {
        backend: 'pkcs11',
        initialized: true,
        sealed: this.keystore.sealed,
        threshold: null,
        shares: null,
        progress: 0,
      };
    }
    const row = await this.row();
    return {
      backend: 'software',
      initialized: row !== undefined,
      sealed: this.keystore.sealed,
      threshold: row?.threshold ?? null,
      shares: row?.shares ?? null,
      progress: this.pending.length,
    };
  }

  /** Creates the master key and returns its shares: the only time they exist together. */
  async init(ctx: RequestContext, options: InitOptions): Promise<string[]> {
    this.requireSoftware();
    validateInit(options);
    // The library accepts a plain Uint8Array only, not a Buffer.
    const master = new Uint8Array(randomBytes(32));
    try {
      const shares = await split(master, options.shares, options.threshold);
      await this.database.transaction(async (tx) => {
        if (await tx.selectFrom('cpm_keystore').select('id').executeTakeFirst()) {
          throw new TrustloopError('ERR_KEYSTORE_INITIALIZED', 'the keystore is already initialised');
        }
        await tx
          .insertInto('cpm_keystore')
          .values({
            id: 1,
            backend: 'software',
            shares: options.shares,
            threshold: options.threshold,
            verifier: sealBytes(Buffer.from(master), VERIFIER_TEXT, VERIFIER_AAD).toString('base64'),
            created_at: isoNow(),
          })
          .execute();
        await this.audit.append(tx, ctx, {
          action: 'keystore.init',
          resource: { type: 'keystore', id: 'software' },
          details: { shares: options.shares, threshold: options.threshold },
        });
      });
      return shares.map((share) => SHARE_PREFIX + Buffer.from(share).toString('base64url'));
    } finally {
      master.fill(0);
    }
  }

  /** Accepts one custodian share; at the threshold, rebuilds and checks the master key. */
  async unseal(ctx: RequestContext, presented: string): Promise<SealStatus> {
    const software = this.requireSoftware();
    const row = await this.row();
    if (!row)
      throw new TrustloopError(
        'ERR_KEYSTORE_NOT_INITIALIZED',
        'initialise the keystore first: trustloop keystore init',
      );
    if (!software.sealed) return this.status();
    const share = await this.refuseUnless(
      ctx,
      parseShare(presented),
      'ERR_INVALID_SHARE',
      'the share is not a Trustloop keystore share',
    );
    const x = share[SHARE_BYTES - 1];
    await this.refuseUnless(
      ctx,
      this.pending.every((p) => p[SHARE_BYTES - 1] !== x),
      'ERR_DUPLICATE_SHARE',
      'this share was already presented',
    );
    this.pending.push(share);
    if (this.pending.length < row.threshold) {
      await this.audit.record(ctx, {
        action: 'keystore.unseal.share',
        resource: { type: 'keystore', id: 'software' },
        details: { progress: this.pending.length, threshold: row.threshold },
      });
      return this.status();
    }
    const master = Buffer.from(await combine(this.pending));
    this.pending = [];
    try {
      const rebuilt = verifies(master, row.verifier);
      await this.refuseUnless(
        ctx,
        rebuilt || undefined,
        'ERR_UNSEAL_FAILED',
        'the shares do not rebuild the master key; start again with correct shares',
      );
      software.unsealWith(master);
    } finally {
      master.fill(0);
    }
    await this.audit.record(ctx, { action: 'keystore.unseal', resource: { type: 'keystore', id: 'software' } });
    return this.status();
  }

  async seal(ctx: RequestContext): Promise<SealStatus> {
    this.requireSoftware().seal();
    this.pending = [];
    await this.audit.record(ctx, { action: 'keystore.seal', resource: { type: 'keystore', id: 'software' } });
    return this.status();
  }

  /**
   * Development only: initialise with two shares kept in the data directory, and unseal from them.
   * Anyone who can read that file holds every key: the server says so loudly at each start.
   */
  async devUnseal(ctx: RequestContext, dataDir: string): Promise<'initialised' | 'unsealed' | 'no-share-file'> {
    const file = path.join(dataDir, DEV_SHARE_FILE);
    let outcome: 'initialised' | 'unsealed' = 'unsealed';
    if (!(await this.row())) {
      const shares = await this.init(ctx, { shares: 2, threshold: 2 });
      writeFileSync(file, `${shares.join('\n')}\n`, { mode: 0o600 });
      outcome = 'initialised';
    }
    if (!existsSync(file)) return 'no-share-file';
    for (const share of readFileSync(file, 'utf8').trim().split('\n')) await this.unseal(ctx, share);
    return outcome;
  }

  private requireSoftware(): SoftwareKeystore {
    if (!this.software) {
      throw new TrustloopError(
        'ERR_HSM_UNSUPPORTED',
        'the PKCS#11 keystore has no custodian shares: it logs into the token with its PIN at start',
      );
    }
    return this.software;
  }

  private row() {
    return this.database.db.selectFrom('cpm_keystore').selectAll().executeTakeFirst();
  }

  /** Audits a refused ceremony step (never the share itself), then throws. */
  private async refuseUnless<T>(
    ctx: RequestContext,
    value: T | false | undefined,
    code: 'ERR_INVALID_SHARE' | 'ERR_DUPLICATE_SHARE' | 'ERR_UNSEAL_FAILED',
    message: string,
  ): Promise<T> {
    if (value !== false && value !== undefined) return value;
    await this.audit.record(ctx, {
      action: 'keystore.unseal',
      resource: { type: 'keystore', id: 'software' },
      outcome: 'failure',
      errorCode: code,
    });
    throw new TrustloopError(code, message);
  }
}

/** Secret sharing needs two shares at least; a threshold of one would let any custodian alone open it. */
function validateInit({ shares, threshold }: InitOptions): void {
  const valid =
    Number.isInteger(shares) &&
    Number.isInteger(threshold) &&
    shares >= 2 &&
    shares <= 10 &&
    threshold >= 2 &&
    threshold <= shares;
  if (!valid) throw new TrustloopError('ERR_VALIDATION', 'shares must be 2-10 and threshold 2-shares');
}

/** Whether `master` opens the verifier written at init: shares from another keystore do not. */
function verifies(master: Buffer, verifier: string): boolean {
  try {
    return openBytes(master, Buffer.from(verifier, 'base64'), VERIFIER_AAD).equals(VERIFIER_TEXT);
  } catch {
    return false;
  }
}

function parseShare(text: string): Uint8Array | undefined {
  if (!text.startsWith(SHARE_PREFIX)) return undefined;
  const body = text.slice(SHARE_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  const bytes = Buffer.from(body, 'base64url');
  return bytes.length === SHARE_BYTES ? new Uint8Array(bytes) : undefined;
}
