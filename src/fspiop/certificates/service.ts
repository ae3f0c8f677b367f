import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import type { AuditService } from '../../audit/service.js';
import { isoNow, systemClock, type Clock } from '../../core/clock.js';
import { scopeOf, type RequestContext } from '../../core/context.js';
import type { Database } from '../../core/db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../core/db/violations.js';
import { TrustloopError, conflict, invalid, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { revokedFingerprints } from '../../pki/store.js';
import type { VerificationKey } from '../jws/verify.js';
import type { CertificateView, UploadCertificate } from '../schemas.js';
import {
  certificatesOf,
  findCertificate,
  insertCertificate,
  listCertificates,
  scheduleRetirement,
  type CertificateRow,
} from './store.js';

/** How long a participant's certificate set is reused by verification; local changes drop it at once. */
const SET_CACHE_MS = 1000;
const MAX_PEM_CHARS = 16_384;

type Use = 'sig' | 'enc';
type Status = CertificateView['status'];

/** Where a certificate stands at `now`: usable while `active` or `retiring` (the rotation overlap). */
export function statusAt(row: Pick<CertificateRow, 'not_before' | 'not_after' | 'retire_at'>, now: string): Status {
  if (now < row.not_before) return 'pending';
  if (now >= row.not_after) return 'expired';
  if (row.retire_at !== null) return now >= row.retire_at ? 'retired' : 'retiring';
  return 'active';
}

const usable = (status: Status) => status === 'active' || status === 'retiring';

/**
 * The participants' FSPIOP certificates: `sig` certificates verify their JWS signatures, `enc`
 * certificates receive JWE-encrypted fields. Rotation without downtime: upload the new certificate,
 * let both be valid for an overlap window (`retirePreviousAt`), then the old one retires.
 */
export class CertificateRegistry {
  private readonly sets = new Map<string, { rows: CertificateRow[]; revoked: Set<string>; loadedAt: number }>();
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock = systemClock,
  ) {}

  async upload(ctx: RequestContext, input: UploadCertificate): Promise<CertificateView> {
    const scope = scopeOf(ctx.actor);
    if (scope.kind === 'participant' && scope.participantId !== input.participantId)
      throw new TrustloopError('ERR_FORBIDDEN', 'a participant registers certificates for itself only');
    const use: Use = input.use ?? 'sig';
    const parsed = parseCertificate(input.pem, use);
    if ((await revokedFingerprints(this.database.db, [parsed.fingerprint])).size > 0)
      throw new TrustloopError('ERR_FSPIOP_CERTIFICATE_INVALID', 'the hub CA has revoked this certificate');
    const now = isoNow(this.clock);
    if (parsed.not_after <= now) throw invalid('pem', `the certificate expired at ${parsed.not_after}`);
    const previous = (await certificatesOf(this.database.db, input.participantId, use)).filter((row) =>
      usable(statusAt(row, now)),
    );
    const retireAt = input.retirePreviousAt === undefined ? null : new Date(input.retirePreviousAt).toISOString();
    if (retireAt !== null && (retireAt < now || retireAt < parsed.not_before))
      throw invalid(
        'retirePreviousAt',
        'must not be in the past nor before the new certificate becomes valid (no gap in the rotation)',
      );
    const row: CertificateRow = {
      id: newId('fsc'),
      participant_id: input.participantId,
      use,
      ...parsed,
      retire_at: null,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.database.transaction(async (tx) => {
        await insertCertificate(tx, row);
        if (retireAt !== null)
          await scheduleRetirement(
            tx,
            previous.map((p) => p.id),
            retireAt,
            now,
          );
        await this.audit.append(tx, ctx, {
          action: 'fspiop.certificate.create',
          resource: { type: 'fspiop-certificate', id: row.id },
          participantId: row.participant_id,
          details: {
            use,
            fingerprint: row.fingerprint,
            keyType: row.key_type,
            notAfter: row.not_after,
            ...(retireAt === null ? {} : { retiring: previous.map((p) => p.id), retireAt }),
          },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw conflict(`this certificate is already registered for '${input.participantId}'`);
      if (isForeignKeyViolation(error)) throw invalid('participantId', 'no such participant');
      throw error;
    }
    this.sets.delete(`${row.participant_id}|${use}`);
    return view(row, now);
  }

  /** Retires a certificate now or at a later time (the end of an overlap window). */
  async retire(ctx: RequestContext, id: string, at: string | undefined): Promise<CertificateView> {
    const row = await findCertificate(this.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('certificate', id);
    const now = isoNow(this.clock);
    const status = statusAt(row, now);
    if (status === 'retired' || status === 'expired') throw conflict(`certificate '${id}' is already ${status}`);
    const retireAt = at === undefined ? now : new Date(at).toISOString();
    if (retireAt < now) throw invalid('at', 'must not be in the past');
    await this.database.transaction(async (tx) => {
      await scheduleRetirement(tx, [id], retireAt, now);
      await this.audit.append(tx, ctx, {
        action: 'fspiop.certificate.retire',
        resource: { type: 'fspiop-certificate', id },
        participantId: row.participant_id,
        details: { retireAt },
      });
    });
    this.sets.delete(`${row.participant_id}|${row.use}`);
    const effective = row.retire_at !== null && row.retire_at < retireAt ? row.retire_at : retireAt;
    return view({ ...row, retire_at: effective, updated_at: now }, now);
  }

  async list(ctx: RequestContext, filter: { participantId?: string; use?: Use }): Promise<CertificateView[]> {
    const now = isoNow(this.clock);
    return (await listCertificates(this.database.db, scopeOf(ctx.actor), filter)).map((row) => view(row, now));
  }

  async get(ctx: RequestContext, id: string): Promise<CertificateView> {
    const row = await findCertificate(this.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('certificate', id);
    return view(row, isoNow(this.clock));
  }

  /**
   * A participant's public keys as a JWK Set (RFC 7517 §5), for other participants to fetch:
   * every certificate that is valid now or will be, with its chain (`x5c`) and thumbprint.
   */
  async jwks(participantId: string, use: Use | undefined): Promise<{ keys: Record<string, unknown>[] }> {
    const now = isoNow(this.clock);
    const rows = [
      ...(use !== 'enc' ? await certificatesOf(this.database.db, participantId, 'sig') : []),
      ...(use !== 'sig' ? await certificatesOf(this.database.db, participantId, 'enc') : []),
    ].filter((row) => {
      const status = statusAt(row, now);
      return usable(status) || status === 'pending';
    });
    return {
      keys: rows.map((row) => {
        const certificate = new X509Certificate(row.pem);
        const jwk = certificate.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
        return {
          ...jwk,
          kid: row.id,
          use: row.use,
          x5c: [certificate.raw.toString('base64')],
          'x5t#S256': createHash('sha256').update(certificate.raw).digest('base64url'),
        };
      }),
    };
  }

  /** The keys `source` may sign with now; the reason it has none otherwise. */
  async verificationKeys(source: string): Promise<VerificationKey[]> {
    return this.usableKeys(source, 'sig');
  }

  /** The key fields are encrypted to for `recipient`: its newest usable `enc` certificate. */
  async encryptionKey(recipient: string): Promise<VerificationKey> {
    const keys = await this.usableKeys(recipient, 'enc');
    return keys.at(-1)!;
  }

  private async usableKeys(participantId: string, use: Use): Promise<VerificationKey[]> {
    const rows = await this.setOf(participantId, use);
    const what = use === 'sig' ? 'signing' : 'encryption';
    if (rows.length === 0)
      throw new TrustloopError(
        'ERR_FSPIOP_UNKNOWN_SOURCE',
        `'${participantId.slice(0, 32)}' has no registered ${what} certificate`,
      );
    const now = isoNow(this.clock);
    const valid = rows.filter((row) => usable(statusAt(row, now)));
    if (valid.length === 0) {
      const statuses = [...new Set(rows.map((row) => statusAt(row, now)))].join(' or ');
      throw new TrustloopError(
        'ERR_FSPIOP_CERTIFICATE_NOT_VALID',
        `no ${what} certificate of '${participantId}' is valid now (${statuses})`,
      );
    }
    return valid.map((row) => ({ id: row.id, key: this.keyOf(row) }));
  }

  /**
   * The participant's certificates for a use, without those the hub CA has revoked (a certificate
   * issued by Trustloop's PKI is matched by its SHA-256 fingerprint). Kept for SET_CACHE_MS.
   */
  private async setOf(participantId: string, use: Use): Promise<CertificateRow[]> {
    const cacheKey = `${participantId}|${use}`;
    const now = this.clock.now().getTime();
    let cached = this.sets.get(cacheKey);
    if (!cached || now - cached.loadedAt > SET_CACHE_MS) {
      const rows = await certificatesOf(this.database.db, participantId, use);
      const revoked = await revokedFingerprints(
        this.database.db,
        rows.map((row) => row.fingerprint),
      );
      if (this.sets.size > 10_000) this.sets.clear();
      cached = { rows, revoked, loadedAt: now };
      this.sets.set(cacheKey, cached);
    }
    const { rows, revoked } = cached;
    if (revoked.size > 0 && rows.every((row) => revoked.has(row.fingerprint)))
      throw new TrustloopError(
        'ERR_FSPIOP_CERTIFICATE_NOT_VALID',
        `every ${use === 'sig' ? 'signing' : 'encryption'} certificate of '${participantId.slice(0, 32)}' was revoked by the hub CA`,
      );
    return rows.filter((row) => !revoked.has(row.fingerprint));
  }

  /** A certificate never changes, so its imported key is kept for good (jose caches its own form by it). */
  private keyOf(row: CertificateRow): KeyObject {
    let key = this.keys.get(row.id);
    if (!key) {
      key = new X509Certificate(row.pem).publicKey;
      this.keys.set(row.id, key);
    }
    return key;
  }
}

/** One PEM certificate whose key suits the use: RSA of 2048 bits or more, or (for signing) P-256. */
export function parseCertificate(
  pem: string,
  use: Use,
): Pick<CertificateRow, 'pem' | 'fingerprint' | 'subject' | 'serial' | 'key_type' | 'not_before' | 'not_after'> {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  if (pem.length > MAX_PEM_CHARS || blocks !== 1)
    throw new TrustloopError('ERR_FSPIOP_CERTIFICATE_INVALID', 'pem must hold exactly one PEM certificate');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new TrustloopError('ERR_FSPIOP_CERTIFICATE_INVALID', 'pem is not a readable X.509 certificate');
  }
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  let keyType: string | null = null;
  if (key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048) keyType = `rsa-${details.modulusLength}`;
  if (use === 'sig' && key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') keyType = 'ec-p256';
  if (keyType === null)
    throw new TrustloopError(
      'ERR_FSPIOP_CERTIFICATE_INVALID',
      use === 'sig'
        ? 'a signing certificate needs an RSA key of 2048 bits or more, or a P-256 key'
        : 'an encryption certificate needs an RSA key of 2048 bits or more (RSA-OAEP-256)',
    );
  return {
    pem: certificate.toString(),
    fingerprint: createHash('sha256').update(certificate.raw).digest('hex'),
    subject: certificate.subject.replaceAll('\n', ', ').slice(0, 512),
    serial: certificate.serialNumber,
    key_type: keyType,
    not_before: new Date(certificate.validFrom).toISOString(),
    not_after: new Date(certificate.validTo).toISOString(),
  };
}

function view(row: CertificateRow, now: string): CertificateView {
  return {
    id: row.id,
    participantId: row.participant_id,
    use: row.use,
    status: statusAt(row, now),
    subject: row.subject,
    serial: row.serial,
    fingerprint: row.fingerprint,
    keyType: row.key_type,
    notBefore: row.not_before,
    notAfter: row.not_after,
    retireAt: row.retire_at,
    createdAt: row.created_at,
    pem: row.pem,
  };
}
