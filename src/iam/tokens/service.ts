import type { AuditService } from '../../audit/service.js';
import { isoNow, systemClock, type Clock } from '../../core/clock.js';
import type { Actor, RequestContext } from '../../core/context.js';
import type { Database, Tx } from '../../core/db/database.js';
import { isForeignKeyViolation } from '../../core/db/violations.js';
import { TrustloopError, invalid, notFound } from '../../core/errors.js';
import { ID_PATTERN, newId } from '../../core/ids.js';
import { isRole, type Role } from '../permissions.js';
import { DECOY_HASH, hashSecret, isWellFormedSecret, newSecret, secretMatches } from '../secrets.js';
import {
  countTokens,
  findToken,
  insertToken,
  listTokens,
  markRevoked,
  touchLastUsed,
  type TokenRow,
  type TokenWithParticipant,
} from './store.js';

/** `tl.<token id>.<secret>`: the id finds the row, the secret is compared in constant time. */
const TOKEN_PREFIX = 'tl';
const ID_REGEX = new RegExp(ID_PATTERN);
/** Writing last-use on every request would turn each read into a write; once a minute is enough. */
const LAST_USED_GRANULARITY_MS = 60_000;

export interface TokenView {
  id: string;
  name: string;
  role: string;
  participantId: string | null;
  preview: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface CreateTokenInput {
  name: string;
  role: string;
  participantId?: string | null;
  expiresAt?: string | null;
}

export interface CreatedToken {
  /** The only time the secret exists outside the caller's hands. */
  token: string;
  view: TokenView;
}

export class TokenService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(ctx: RequestContext, input: CreateTokenInput): Promise<CreatedToken> {
    const row = this.newRow(ctx, input);
    const secret = newSecret();
    row.secret_hash = hashSecret(secret);
    try {
      await this.database.transaction(async (tx) => {
        await insertToken(tx, row);
        await this.audit.append(tx, ctx, {
          action: 'token.create',
          resource: { type: 'token', id: row.id },
          participantId: row.participant_id,
          details: { name: row.name, role: row.role, expiresAt: row.expires_at },
        });
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw invalid('participantId', 'no such participant');
      throw error;
    }
    return { token: `${TOKEN_PREFIX}.${row.id}.${secret}`, view: toView(row) };
  }

  async list(includeRevoked = false): Promise<TokenView[]> {
    return (await listTokens(this.database.db, includeRevoked)).map(toView);
  }

  async get(id: string): Promise<TokenView> {
    const row = await findToken(this.database.db, id);
    if (!row) throw notFound('token', id);
    return toView(row);
  }

  async revoke(ctx: RequestContext, id: string): Promise<TokenView> {
    await this.database.transaction((tx) => this.revokeWithin(tx, ctx, id));
    return this.get(id);
  }

  /** Revokes inside the caller's transaction (an access review records its decision with it). */
  async revokeWithin(tx: Tx, ctx: RequestContext, id: string, details?: Record<string, unknown>): Promise<void> {
    if (!(await markRevoked(tx, id, isoNow(this.clock), ctx.actor.id))) {
      throw (await findToken(tx, id))
        ? new TrustloopError('ERR_CONFLICT', `token '${id}' is already revoked`)
        : notFound('token', id);
    }
    await this.audit.append(tx, ctx, {
      action: 'token.revoke',
      resource: { type: 'token', id },
      ...(details ? { details } : {}),
    });
  }

  async count(): Promise<number> {
    return countTokens(this.database.db);
  }

  /** Resolves a presented token to its actor, or throws ERR_UNAUTHENTICATED without saying why. */
  async authenticate(presented: string): Promise<{ actor: Actor; row: TokenRow }> {
    const [prefix, id, secret, extra] = presented.split('.');
    const wellFormed =
      prefix === TOKEN_PREFIX &&
      extra === undefined &&
      id !== undefined &&
      ID_REGEX.test(id) &&
      secret !== undefined &&
      isWellFormedSecret(secret);
    const row = wellFormed ? await findToken(this.database.db, id) : undefined;
    const matches = secretMatches(wellFormed ? secret : 'x', row?.secret_hash ?? DECOY_HASH);
    if (!row || !matches || !this.isUsable(row)) {
      throw new TrustloopError('ERR_UNAUTHENTICATED', 'the token is missing, invalid, expired or revoked');
    }
    await this.noteUse(row);
    return { actor: actorOf(row, 'token'), row };
  }

  /** A token works until it is revoked or expires, and not while its participant is suspended. */
  isUsable(row: TokenWithParticipant): boolean {
    return (
      row.revoked_at === null &&
      (row.expires_at === null || row.expires_at > isoNow(this.clock)) &&
      row.participant_status !== 'suspended'
    );
  }

  private async noteUse(row: TokenRow): Promise<void> {
    const now = this.clock.now();
    if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_GRANULARITY_MS) {
      await this.database.transaction((tx) => touchLastUsed(tx, row.id, now.toISOString()));
    }
  }

  private newRow(ctx: RequestContext, input: CreateTokenInput): TokenRow {
    if (!isRole(input.role)) throw invalid('role', `unknown role '${input.role.slice(0, 40)}'`);
    const participantId = input.participantId ?? null;
    if ((input.role === 'participant') !== (participantId !== null)) {
      throw invalid('participantId', 'is required for the participant role and only allowed for it');
    }
    const now = isoNow(this.clock);
    if (input.expiresAt != null && input.expiresAt <= now) throw invalid('expiresAt', 'must be in the future');
    return {
      id: newId('tok'),
      name: input.name,
      role: input.role satisfies Role,
      participant_id: participantId,
      secret_hash: '',
      created_at: now,
      created_by: ctx.actor.id,
      expires_at: input.expiresAt ?? null,
      last_used_at: null,
      revoked_at: null,
      revoked_by: null,
    };
  }
}

export const actorOf = (row: TokenRow, type: Actor['type']): Actor => ({
  type,
  id: row.id,
  role: row.role,
  participantId: row.participant_id,
});

const toView = (row: TokenRow): TokenView => ({
  id: row.id,
  name: row.name,
  role: row.role,
  participantId: row.participant_id,
  preview: `${TOKEN_PREFIX}.${row.id}.…`,
  createdAt: row.created_at,
  createdBy: row.created_by,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
  revokedBy: row.revoked_by,
});
