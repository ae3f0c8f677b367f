import { createPublicKey } from 'node:crypto';
import type { AuditService } from '../../audit/service.js';
import { isoNow, systemClock, type Clock } from '../../core/clock.js';
import { scopeOf, type RequestContext } from '../../core/context.js';
import type { Database } from '../../core/db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../core/db/violations.js';
import { TrustloopError, conflict, invalid, isTrustloopError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import {
  PURPOSES_BY_TYPE,
  STRENGTH_BITS,
  type Keystore,
  type KeyPurpose,
  type KeyType,
  type GeneratedKey,
  type KeyVersionRef,
} from '../keystore/types.js';
import type { CreateKey, KeyInventory, KeyPolicy, KeyView, UpdateKey } from './schemas.js';
import {
  addVersion,
  findKey,
  findVersion,
  insertKey,
  listKeys,
  listVersions,
  markVersionsDestroyed,
  updateKey,
  usageCounts,
  type KeyRow,
  type KeyVersionRow,
} from './store.js';

const DAY_MS = 86_400_000;
const OPERATION_CACHE_MS = 1000;

interface CachedKey {
  key: KeyRow;
  /** The key's policy, parsed once per load rather than once per operation. */
  policy: KeyPolicy;
  versions: Map<number, KeyVersionRow | undefined>;
  loadedAt: number;
}

/** Operations each purpose allows; the policy can narrow them, never widen them. */
const OPERATIONS_BY_PURPOSE: Record<KeyPurpose, KeyPolicy['operations']> = {
  sign: ['sign', 'verify'],
  encrypt: ['encrypt', 'decrypt'],
  wrap: ['encrypt', 'decrypt'],
  mac: ['mac', 'verify-mac'],
};

/** Makes a key version's material inside the keystore: generated there, or imported into it. */
export type MaterialSource = (ref: Omit<KeyVersionRef, 'material'>) => Promise<GeneratedKey>;

export type KeyOperation = KeyPolicy['operations'][number];

/**
 * Key lifecycle: create (version 1 generated inside the keystore), rotate, enable / disable, the
 * minimum version still allowed to decrypt, public key export. Material never leaves the keystore.
 */
export class KeyService {
  private readonly cache = new Map<string, CachedKey>();

  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly keystore: Keystore,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(ctx: RequestContext, input: CreateKey): Promise<KeyView> {
    return this.createWith(ctx, input, 'generated', (ref) => this.keystore.generate(ref));
  }

  /**
   * Creates a key whose version 1 comes from `makeVersion` (generated in the keystore, or imported).
   * If the key cannot be stored, the material just made is destroyed again, so no orphan stays in an HSM.
   */
  async createWith(
    ctx: RequestContext,
    input: CreateKey,
    origin: KeyRow['origin'],
    makeVersion: MaterialSource,
  ): Promise<KeyView> {
    if (!PURPOSES_BY_TYPE[input.type].includes(input.purpose)) {
      throw invalid('purpose', `a ${input.type} key cannot be used to ${input.purpose}`);
    }
    const owner = this.ownerFor(ctx, input.ownerParticipantId ?? null);
    const policy = input.policy ?? defaultPolicy(input.purpose, owner);
    const refused = policy.operations.find((op) => !OPERATIONS_BY_PURPOSE[input.purpose].includes(op));
    if (refused) throw invalid('policy/operations', `'${refused}' is not an operation of a ${input.purpose} key`);
    const now = isoNow(this.clock);
    const id = newId('key');
    const ref = { keyId: id, version: 1, type: input.type };
    const made = await makeVersion(ref);
    const row: KeyRow = {
      id,
      name: input.name,
      type: input.type,
      purpose: input.purpose,
      backend: this.keystore.backend,
      owner_participant_id: owner,
      policy: JSON.stringify(policy),
      status: 'enabled',
      rotation_period_days: input.rotationPeriodDays ?? null,
      latest_version: 1,
      min_decryption_version: 1,
      destroy_after: null,
      created_at: now,
      updated_at: now,
      last_rotated_at: now,
      origin,
    };
    try {
      await this.database.transaction(async (tx) => {
        await insertKey(tx, row, {
          key_id: id,
          version: 1,
          material: made.material,
          public_key: made.publicKeyPem,
          created_at: now,
          destroyed_at: null,
        });
        await this.audit.append(tx, ctx, {
          action: origin === 'imported' ? 'key.import' : 'key.create',
          resource: { type: 'key', id },
          participantId: owner,
          details: { name: row.name, type: row.type, purpose: row.purpose, backend: row.backend, version: 1 },
        });
      });
    } catch (error) {
      await this.keystore.destroy({ ...ref, material: made.material }).catch(() => undefined);
      if (isUniqueViolation(error)) throw conflict(`a key named '${input.name}' already exists`);
      if (isForeignKeyViolation(error)) throw invalid('ownerParticipantId', 'no such participant');
      throw error;
    }
    return this.view(row);
  }

  async list(ctx: RequestContext): Promise<KeyView[]> {
    return (await listKeys(this.database.db, scopeOf(ctx.actor))).map((row) => this.view(row));
  }

  /**
   * The key inventory as evidence for key-management controls: strength, age, rotation against
   * its period (null when no period is set), backend and owner for every key the caller can see.
   */
  async inventory(ctx: RequestContext): Promise<KeyInventory> {
    const views = (await this.list(ctx)).filter((key) => key.status !== 'destroyed');
    const keys = views.map((key) => ({
      id: key.id,
      name: key.name,
      type: key.type,
      strengthBits: STRENGTH_BITS[key.type],
      status: key.status,
      backend: key.backend,
      owner: key.ownerParticipantId ?? 'hub',
      ageDays: key.ageDays,
      latestVersion: key.latestVersion,
      lastRotatedAt: key.lastRotatedAt,
      rotationPeriodDays: key.rotationPeriodDays,
      rotationCompliant: key.rotationPeriodDays === null ? null : !key.rotationDue,
    }));
    const byBackend: Record<string, number> = {};
    for (const key of keys) byBackend[key.backend] = (byBackend[key.backend] ?? 0) + 1;
    return {
      generatedAt: isoNow(this.clock),
      summary: {
        total: keys.length,
        rotationOverdue: keys.filter((key) => key.rotationCompliant === false).length,
        withoutRotationPeriod: keys.filter((key) => key.rotationPeriodDays === null).length,
        below128Bits: keys.filter((key) => key.strengthBits < 128).length,
        byBackend,
      },
      keys,
    };
  }

  async detail(ctx: RequestContext, id: string) {
    const row = await this.require(ctx, id);
    const versions = await listVersions(this.database.db, id);
    return {
      key: this.view(row),
      versions: versions.map((v) => ({
        version: v.version,
        createdAt: v.created_at,
        destroyedAt: v.destroyed_at,
        hasPublicKey: v.public_key !== null,
      })),
      usage: await usageCounts(this.database.db, id),
    };
  }

  async rotate(ctx: RequestContext, id: string): Promise<KeyView> {
    return this.rotateWith(ctx, id, 'generated', (ref) => this.keystore.generate(ref));
  }

  /** Adds the next version from `makeVersion`; an imported key takes only imported versions. */
  async rotateWith(
    ctx: RequestContext,
    id: string,
    origin: KeyRow['origin'],
    makeVersion: MaterialSource,
  ): Promise<KeyView> {
    const row = await this.require(ctx, id);
    this.requireUsableStatus(row);
    if (row.origin !== origin) {
      throw conflict(
        origin === 'generated'
          ? `key '${id}' was imported: rotate it by importing its next version`
          : `key '${id}' was generated in the keystore: rotate it instead of importing`,
      );
    }
    const version = row.latest_version + 1;
    const ref = { keyId: id, version, type: row.type as KeyType };
    const made = await makeVersion(ref);
    const now = isoNow(this.clock);
    try {
      await this.database.transaction(async (tx) => {
        await addVersion(
          tx,
          {
            key_id: id,
            version,
            material: made.material,
            public_key: made.publicKeyPem,
            created_at: now,
            destroyed_at: null,
          },
          now,
        );
        await this.audit.append(tx, ctx, {
          action: origin === 'imported' ? 'key.import-version' : 'key.rotate',
          resource: { type: 'key', id },
          participantId: row.owner_participant_id,
          details: { version },
        });
      });
    } catch (error) {
      await this.keystore.destroy({ ...ref, material: made.material }).catch(() => undefined);
      throw error;
    }
    this.cache.delete(id);
    return this.view({ ...row, latest_version: version, last_rotated_at: now, updated_at: now });
  }

  async update(ctx: RequestContext, id: string, changes: UpdateKey): Promise<KeyView> {
    const row = await this.require(ctx, id);
    if (row.status === 'destroyed' || row.status === 'destroy-scheduled') {
      throw new TrustloopError('ERR_KEY_DESTROYED', `key '${id}' is ${row.status}`);
    }
    if (changes.minDecryptionVersion !== undefined && changes.minDecryptionVersion > row.latest_version) {
      throw invalid('minDecryptionVersion', `must not exceed the latest version (${row.latest_version})`);
    }
    const next: KeyRow = {
      ...row,
      status: changes.status ?? row.status,
      min_decryption_version: changes.minDecryptionVersion ?? row.min_decryption_version,
      rotation_period_days:
        changes.rotationPeriodDays === undefined ? row.rotation_period_days : changes.rotationPeriodDays,
      updated_at: isoNow(this.clock),
    };
    await this.database.transaction(async (tx) => {
      await updateKey(tx, id, next);
      await this.audit.append(tx, ctx, {
        action: 'key.update',
        resource: { type: 'key', id },
        participantId: row.owner_participant_id,
        details: { ...changes },
      });
    });
    this.cache.delete(id);
    return this.view(next);
  }

  /**
   * Schedules destruction after a waiting period, as AWS KMS does: the key stops working at once,
   * and can be brought back (disabled) until the period ends.
   */
  async scheduleDestruction(ctx: RequestContext, id: string, waitingPeriodDays: number): Promise<KeyView> {
    const row = await this.require(ctx, id);
    if (row.status === 'destroyed' || row.status === 'destroy-scheduled') {
      throw new TrustloopError('ERR_KEY_DESTROYED', `key '${id}' is ${row.status}`);
    }
    const destroyAfter = new Date(this.clock.now().getTime() + waitingPeriodDays * DAY_MS).toISOString();
    return this.transition(
      ctx,
      row,
      { status: 'destroy-scheduled', destroy_after: destroyAfter },
      'key.destruction.schedule',
      {
        destroyAfter,
      },
    );
  }

  async cancelDestruction(ctx: RequestContext, id: string): Promise<KeyView> {
    const row = await this.require(ctx, id);
    if (row.status !== 'destroy-scheduled') throw conflict(`key '${id}' is not scheduled for destruction`);
    return this.transition(ctx, row, { status: 'disabled', destroy_after: null }, 'key.destruction.cancel', {});
  }

  /** Destroys every version in the keystore once the waiting period is over; the metadata stays. */
  async destroy(ctx: RequestContext, id: string): Promise<KeyView> {
    const row = await this.require(ctx, id);
    const now = isoNow(this.clock);
    if (row.status !== 'destroy-scheduled' || row.destroy_after === null || row.destroy_after > now) {
      throw conflict(
        row.status === 'destroy-scheduled'
          ? `key '${id}' can be destroyed after ${row.destroy_after}`
          : `key '${id}' must be scheduled for destruction first`,
      );
    }
    for (const version of await listVersions(this.database.db, id)) {
      if (version.destroyed_at === null) {
        await this.keystore.destroy({
          keyId: id,
          version: version.version,
          type: row.type as KeyType,
          material: version.material,
        });
      }
    }
    return this.transition(ctx, row, { status: 'destroyed' }, 'key.destroy', {}, true);
  }

  /**
   * The scheduled part of the lifecycle: rotates every enabled key whose rotation period has
   * passed and destroys every key whose destruction waiting period is over. One key's failure is
   * audited by its own operation and does not stop the others; a sealed keystore skips the run.
   */
  async runLifecycle(ctx: RequestContext): Promise<{ rotated: string[]; destroyed: string[]; failed: string[] }> {
    const outcome = { rotated: [] as string[], destroyed: [] as string[], failed: [] as string[] };
    if (this.keystore.sealed) return outcome;
    const now = isoNow(this.clock);
    for (const row of await listKeys(this.database.db, { kind: 'all' })) {
      // Only the owner can bring an imported key's next version; it stays reported as overdue.
      const due = row.status === 'enabled' && row.origin === 'generated' && this.view(row).rotationDue;
      const expired = row.status === 'destroy-scheduled' && row.destroy_after !== null && row.destroy_after <= now;
      if (!due && !expired) continue;
      try {
        if (due) await this.rotate(ctx, row.id);
        else await this.destroy(ctx, row.id);
        (due ? outcome.rotated : outcome.destroyed).push(row.id);
      } catch (error) {
        outcome.failed.push(row.id);
        await this.audit.record(ctx, {
          action: due ? 'key.rotate' : 'key.destroy',
          resource: { type: 'key', id: row.id },
          participantId: row.owner_participant_id,
          outcome: 'failure',
          errorCode: isTrustloopError(error) ? error.code : 'ERR_INTERNAL',
        });
      }
    }
    return outcome;
  }

  private async transition(
    ctx: RequestContext,
    row: KeyRow,
    changes: Partial<KeyRow>,
    action: string,
    details: Record<string, unknown>,
    destroyVersions = false,
  ): Promise<KeyView> {
    const next: KeyRow = { ...row, ...changes, updated_at: isoNow(this.clock) };
    await this.database.transaction(async (tx) => {
      await updateKey(tx, row.id, next);
      if (destroyVersions) await markVersionsDestroyed(tx, row.id, next.updated_at);
      await this.audit.append(tx, ctx, {
        action,
        resource: { type: 'key', id: row.id },
        participantId: row.owner_participant_id,
        details,
      });
    });
    this.cache.delete(row.id);
    return this.view(next);
  }

  /** The public half of an asymmetric key version, as PEM (SPKI) or JWK. */
  async publicKey(ctx: RequestContext, id: string, version: number | undefined, format: 'pem' | 'jwk') {
    const row = await this.require(ctx, id);
    const wanted = version ?? row.latest_version;
    const stored = await findVersion(this.database.db, id, wanted);
    if (!stored) throw notFound('key version', `${id} v${wanted}`);
    if (!stored.public_key) throw invalid('id', `a ${row.type} key has no public half`);
    if (format === 'pem') return { keyId: id, version: wanted, pem: stored.public_key };
    const jwk = createPublicKey(stored.public_key).export({ format: 'jwk' }) as Record<string, string>;
    return { keyId: id, version: wanted, jwk: { ...jwk, kid: `${id}.v${wanted}` } };
  }

  /**
   * The key and one of its versions, checked for the operation: visible to the caller, allowed by
   * its policy for the caller's role, enabled, of the right purpose, and not below the minimum.
   */
  async forOperation(
    ctx: RequestContext,
    id: string,
    operation: KeyOperation,
    version?: number,
  ): Promise<{ key: KeyRow; ref: KeyVersionRef }> {
    const cached = await this.operational(ctx, id);
    const key = cached.key;
    this.requireUsableStatus(key);
    if (!OPERATIONS_BY_PURPOSE[key.purpose as KeyPurpose].includes(operation)) {
      throw new TrustloopError('ERR_WRONG_PURPOSE', `key '${id}' is a ${key.purpose} key and cannot ${operation}`);
    }
    const policy = cached.policy;
    const roleAllowed =
      ctx.actor.role !== null &&
      (policy.roles.includes(ctx.actor.role) ||
        (ctx.actor.participantId !== null && ctx.actor.participantId === key.owner_participant_id));
    if (!roleAllowed || !policy.operations.includes(operation)) {
      throw new TrustloopError('ERR_KEY_POLICY', `the policy of key '${id}' does not let you ${operation}`);
    }
    const wanted = version ?? key.latest_version;
    const readsOld = operation === 'decrypt' || operation === 'verify' || operation === 'verify-mac';
    if (readsOld && wanted < key.min_decryption_version) {
      throw new TrustloopError(
        'ERR_VERSION_TOO_OLD',
        `version ${wanted} of key '${id}' is below its minimum (${key.min_decryption_version})`,
      );
    }
    if (wanted > key.latest_version) throw notFound('key version', `${id} v${wanted}`);
    if (!cached.versions.has(wanted)) cached.versions.set(wanted, await findVersion(this.database.db, id, wanted));
    const stored = cached.versions.get(wanted);
    if (!stored || stored.destroyed_at !== null) throw notFound('key version', `${id} v${wanted}`);
    return { key, ref: { keyId: id, version: wanted, type: key.type as KeyType, material: stored.material } };
  }

  /**
   * The key as operations see it, kept for OPERATION_CACHE_MS: without it every signature waited
   * for two reads behind the audit commit. Changes made here drop the entry at once; another
   * instance's change is seen within the same time. The participant scope is checked here, as the
   * cached row was read without it.
   */
  private async operational(ctx: RequestContext, id: string): Promise<CachedKey> {
    const now = this.clock.now().getTime();
    let entry = this.cache.get(id);
    if (!entry || now - entry.loadedAt > OPERATION_CACHE_MS) {
      const key = await findKey(this.database.db, { kind: 'all' }, id);
      if (!key) throw notFound('key', id);
      entry = { key, policy: JSON.parse(key.policy) as KeyPolicy, versions: new Map(), loadedAt: now };
      this.cache.set(id, entry);
    }
    const scope = scopeOf(ctx.actor);
    if (scope.kind === 'participant' && entry.key.owner_participant_id !== scope.participantId)
      throw notFound('key', id);
    return entry;
  }

  private async require(ctx: RequestContext, id: string): Promise<KeyRow> {
    const row = await findKey(this.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('key', id);
    return row;
  }

  private requireUsableStatus(row: KeyRow): void {
    if (row.status === 'disabled') throw new TrustloopError('ERR_KEY_DISABLED', `key '${row.id}' is disabled`);
    if (row.status !== 'enabled') throw new TrustloopError('ERR_KEY_DESTROYED', `key '${row.id}' is ${row.status}`);
  }

  /** A participant creates keys for itself only; the hub may create for any participant. */
  private ownerFor(ctx: RequestContext, requested: string | null): string | null {
    const own = ctx.actor.participantId;
    if (own === null) return requested;
    if (requested !== null && requested !== own)
      throw new TrustloopError('ERR_FORBIDDEN', 'a participant can only own its own keys');
    return own;
  }

  private view(row: KeyRow): KeyView {
    const now = this.clock.now().getTime();
    const lastRotated = Date.parse(row.last_rotated_at);
    return {
      id: row.id,
      name: row.name,
      type: row.type as KeyType,
      purpose: row.purpose as KeyPurpose,
      backend: row.backend,
      ownerParticipantId: row.owner_participant_id,
      policy: JSON.parse(row.policy) as KeyPolicy,
      status: row.status,
      rotationPeriodDays: row.rotation_period_days,
      latestVersion: row.latest_version,
      minDecryptionVersion: row.min_decryption_version,
      destroyAfter: row.destroy_after,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      lastRotatedAt: row.last_rotated_at,
      origin: row.origin,
      ageDays: Math.floor((now - Date.parse(row.created_at)) / DAY_MS),
      rotationDue: row.rotation_period_days !== null && now - lastRotated >= row.rotation_period_days * DAY_MS,
    };
  }
}

function defaultPolicy(purpose: KeyPurpose, owner: string | null): KeyPolicy {
  return {
    roles: owner === null ? ['admin', 'security-officer'] : [],
    operations: [...OPERATIONS_BY_PURPOSE[purpose]],
  };
}
