import type { RequestContext } from '../core/context.js';
import { scopeOf } from '../core/context.js';
import { TrustloopError, notFound, type ErrorCode } from '../core/errors.js';
import { isoNow } from '../core/clock.js';
import type { CaService } from './ca.js';
import type { PkiDeps } from './context.js';
import {
  activeChildCas,
  advanceCrlNumber,
  deleteOcspResponse,
  findCertificate,
  insertCrl,
  markCaRevoked,
  revokedChildCas,
  type CaRow,
  latestCrl,
  markRevoked,
  revokedOf,
  validOfParticipant,
  type CertificateRow,
  type CrlRow,
} from './store.js';
import { issueCrl } from './x509/build.js';
import { crlSignedBy, decodeCrlText, readCrl } from './x509/crl.js';
import { sha256Hex } from './x509/algorithms.js';
import { isUniqueViolation } from '../core/db/violations.js';

/** RFC 5280 section 5.3.1 reason codes a revocation may carry (removeFromCRL only undoes a hold). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

/** Reasons that state a fact about the scheme itself, which only the hub may assert. */
const HUB_ONLY_REASONS = new Set<RevocationReason>([
  'cACompromise',
  'aACompromise',
  'privilegeWithdrawn',
  'certificateHold',
]);

const CRL_VALIDITY_MS = 24 * 3_600_000;
/** A CRL is reissued once less than this remains before its nextUpdate. */
export const CRL_REFRESH_MARGIN_MS = 6 * 3_600_000;

/** How far ahead of this clock an imported CRL's thisUpdate may be. */
const CLOCK_SKEW_MS = 300_000;

const reasonName = (code: number): RevocationReason =>
  (Object.entries(REVOCATION_REASONS).find(([, value]) => value === code)?.[0] as RevocationReason) ?? 'unspecified';

export type RevocationListener = (certificate: CertificateRow, ctx: RequestContext) => Promise<void>;

/**
 * Revocation and CRLs. A revocation commits with its audit event, then the CA's CRL is reissued at
 * once; a scheduled refresh reissues every CRL before its nextUpdate (and repairs a CRL whose
 * reissue failed after a revocation).
 */
export class RevocationService {
  private readonly publishing = new Map<string, Promise<CrlRow>>();
  private readonly listeners: RevocationListener[] = [];
  private readonly crlListeners: ((caId: string) => void)[] = [];
  private readonly caListeners: ((caId: string) => void)[] = [];

  constructor(
    private readonly deps: PkiDeps,
    private readonly cas: CaService,
  ) {}

  onRevoke(listener: RevocationListener): void {
    this.listeners.push(listener);
  }

  /** Called after each new CRL is stored (the mTLS listener reloads its CRLs). */
  onCrl(listener: (caId: string) => void): void {
    this.crlListeners.push(listener);
  }

  async revoke(ctx: RequestContext, id: string, reason: RevocationReason): Promise<CertificateRow> {
    const row = await findCertificate(this.deps.database.db, scopeOf(ctx.actor), id);
    if (!row) {
      await this.refuse(ctx, id, null, 'ERR_NOT_FOUND', reason);
      throw notFound('certificate', id);
    }
    if (ctx.actor.participantId !== null && HUB_ONLY_REASONS.has(reason)) {
      await this.refuse(ctx, id, row.participant_id, 'ERR_FORBIDDEN', reason);
      throw new TrustloopError('ERR_FORBIDDEN', `only the hub may revoke with reason ${reason}`);
    }
    const now = isoNow(this.deps.clock);
    const revoked = await this.deps.database.transaction(async (tx) => {
      const changed = await markRevoked(tx, id, {
        revoked_at: now,
        revocation_reason: reason,
        revoked_by: ctx.actor.id,
      });
      if (!changed) return false;
      // A stored "good" answer must not outlive the revocation; the responder signs the new one.
      await deleteOcspResponse(tx, row.ca_id, row.serial);
      await this.deps.audit.append(tx, ctx, {
        action: 'pki.certificate.revoke',
        resource: { type: 'pki-certificate', id },
        participantId: row.participant_id,
        details: {
          serial: row.serial,
          fingerprintSha256: row.fingerprint_sha256,
          caId: row.ca_id,
          profile: row.profile,
          reason,
        },
      });
      return true;
    });
    if (!revoked) {
      await this.refuse(ctx, id, row.participant_id, 'ERR_ALREADY_REVOKED', reason);
      throw new TrustloopError('ERR_ALREADY_REVOKED', `certificate '${id}' is already revoked`);
    }
    const updated: CertificateRow = {
      ...row,
      status: 'revoked',
      revoked_at: now,
      revocation_reason: reason,
      revoked_by: ctx.actor.id,
    };
    for (const listener of this.listeners) await listener(updated, ctx);
    await this.publishCrl(ctx, row.ca_id);
    return updated;
  }

  /** Containment: revokes every valid certificate of a participant (the incident domain's action). */
  async revokeAllOf(ctx: RequestContext, participantId: string, reason: RevocationReason): Promise<CertificateRow[]> {
    const revoked: CertificateRow[] = [];
    for (const row of await validOfParticipant(this.deps.database.db, participantId)) {
      revoked.push(await this.revoke(ctx, row.id, reason));
    }
    return revoked;
  }

  /** Issues the CA's next CRL. Concurrent calls for one CA share a single issuance. */
  publishCrl(ctx: RequestContext, caId: string): Promise<CrlRow> {
    const running = this.publishing.get(caId);
    if (running) return running.then(() => this.publishCrl(ctx, caId));
    const work = this.issueNext(ctx, caId).finally(() => this.publishing.delete(caId));
    this.publishing.set(caId, work);
    return work;
  }

  /**
   * The newest CRL, reissued first when there is none or it is close to its nextUpdate. For an
   * imported (external) CA it is the newest CRL imported from it, as it is: only its issuer can
   * renew it.
   */
  async currentCrl(ctx: RequestContext, caId: string): Promise<CrlRow> {
    const ca = await this.cas.get(caId);
    if (ca.source !== 'cpm') {
      const imported = await latestCrl(this.deps.database.db, caId);
      if (!imported) throw notFound('CRL of CA', caId);
      return imported;
    }
    const crl = await latestCrl(this.deps.database.db, caId);
    if (crl && Date.parse(crl.next_update) - this.deps.clock.now().getTime() > CRL_REFRESH_MARGIN_MS) return crl;
    return this.publishCrl(ctx, caId);
  }

  /**
   * A CA revokes one of the CAs it signed (an issuing CA, from its root): the child stops signing at
   * once, leaves the trust material of the mTLS listener and the OCSP responder, and goes on the
   * parent's next CRL, which is issued before this returns.
   */
  async revokeCa(ctx: RequestContext, id: string, reason: RevocationReason): Promise<CaRow> {
    const ca = await this.cas.get(id);
    const refuse = async (code: ErrorCode, message: string): Promise<never> => {
      await this.deps.audit.record(ctx, {
        action: 'pki.ca.revoke',
        resource: { type: 'pki-ca', id },
        outcome: 'denied',
        errorCode: code,
        details: { reason },
      });
      throw new TrustloopError(code, message);
    };
    if (ca.parent_id === null) await refuse('ERR_CA_UNUSABLE', `CA '${id}' is a root; nobody above it can revoke it`);
    const parent = await this.cas.get(ca.parent_id!);
    if (parent.source !== 'cpm')
      await refuse('ERR_CA_UNUSABLE', `CA '${id}' was signed by an external CA; revoke it there`);
    const now = isoNow(this.deps.clock);
    const revoked = await this.deps.database.transaction(async (tx) => {
      if (!(await markCaRevoked(tx, id, now, reason))) return false;
      await this.deps.audit.append(tx, ctx, {
        action: 'pki.ca.revoke',
        resource: { type: 'pki-ca', id },
        details: {
          parentId: parent.id,
          serial: ca.serial,
          fingerprintSha256: ca.fingerprint_sha256,
          subject: ca.subject,
          reason,
        },
      });
      return true;
    });
    if (!revoked) await refuse('ERR_ALREADY_REVOKED', `CA '${id}' is not active`);
    for (const listener of this.caListeners) listener(id);
    await this.publishCrl(ctx, parent.id);
    return this.cas.get(id);
  }

  /**
   * Stores the current CRL of an imported (external) CA, given as PEM or base64 DER: it must be a
   * complete CRL signed by that CA's key, current, and newer than the one stored. A CA of this hub
   * that the CRL lists (an issuing CA the external root signed) is marked revoked in the same
   * transaction, except on certificateHold, which the CRL itself enforces at the mTLS handshake
   * until the external CA lifts it. Refusals are audited.
   */
  async importCrl(ctx: RequestContext, caId: string, text: string): Promise<CrlRow> {
    try {
      return await this.storeImported(ctx, caId, text);
    } catch (error) {
      if (error instanceof TrustloopError)
        await this.deps.audit.record(ctx, {
          action: 'pki.crl.import',
          resource: { type: 'pki-ca', id: caId },
          outcome: 'denied',
          errorCode: error.code,
        });
      throw error;
    }
  }

  /** Called after a CA is revoked (the OCSP responder drops it). */
  onCaRevoke(listener: (caId: string) => void): void {
    this.caListeners.push(listener);
  }

  private async storeImported(ctx: RequestContext, caId: string, text: string): Promise<CrlRow> {
    const ca = await this.cas.load(caId);
    if (ca.row.source !== 'external')
      throw new TrustloopError('ERR_CONFLICT', `CA '${caId}' is held here; its CRLs are issued here, not imported`);
    const crl = readCrl(decodeCrlText(text));
    if (!(await crlSignedBy(crl, ca.cert)))
      throw new TrustloopError('ERR_CRL_INVALID', `the CRL is not signed by CA '${caId}' (${ca.cert.subject})`);
    const now = this.deps.clock.now();
    if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS)
      throw new TrustloopError(
        'ERR_CRL_INVALID',
        `the CRL's thisUpdate (${crl.thisUpdate.toISOString()}) is in the future`,
      );
    if (crl.nextUpdate <= now)
      throw new TrustloopError('ERR_CRL_INVALID', `the CRL expired at ${crl.nextUpdate.toISOString()}`);
    const stored = await latestCrl(this.deps.database.db, caId);
    const notNewer = () =>
      new TrustloopError(
        'ERR_CRL_NOT_NEWER',
        `CRL number ${crl.number} of ${crl.thisUpdate.toISOString()} is not newer than the stored number ${stored?.crl_number}`,
      );
    if (stored && (crl.number <= stored.crl_number || crl.thisUpdate.toISOString() < stored.this_update))
      throw notNewer();
    const row: CrlRow = {
      ca_id: caId,
      crl_number: crl.number,
      this_update: crl.thisUpdate.toISOString(),
      next_update: crl.nextUpdate.toISOString(),
      der: crl.der.toString('base64'),
    };
    const listed = new Map(crl.entries.map((entry) => [entry.serial, entry]));
    const at = isoNow(this.deps.clock);
    const revokedCas: string[] = [];
    try {
      await this.deps.database.transaction(async (tx) => {
        revokedCas.length = 0;
        if (!(await advanceCrlNumber(tx, caId, ca.row.crl_number, at, crl.number))) throw notNewer();
        await insertCrl(tx, row);
        for (const child of await activeChildCas(tx, caId)) {
          const entry = listed.get(child.serial);
          if (!entry || entry.reason === REVOCATION_REASONS.certificateHold) continue;
          const reason = reasonName(entry.reason);
          await markCaRevoked(tx, child.id, entry.revokedAt.toISOString(), reason);
          await this.deps.audit.append(tx, ctx, {
            action: 'pki.ca.revoke',
            resource: { type: 'pki-ca', id: child.id },
            details: {
              parentId: caId,
              serial: child.serial,
              fingerprintSha256: child.fingerprint_sha256,
              subject: child.subject,
              reason,
              byCrlNumber: crl.number,
            },
          });
          revokedCas.push(child.id);
        }
        await this.deps.audit.append(tx, ctx, {
          action: 'pki.crl.import',
          resource: { type: 'pki-ca', id: caId },
          details: {
            crlNumber: crl.number,
            thisUpdate: row.this_update,
            nextUpdate: row.next_update,
            entries: crl.entries.length,
            fingerprintSha256: sha256Hex(crl.der),
            revokedCas,
          },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw notNewer();
      throw error;
    }
    for (const id of revokedCas) for (const listener of this.caListeners) listener(id);
    for (const listener of this.crlListeners) listener(caId);
    return row;
  }

  private async issueNext(ctx: RequestContext, caId: string): Promise<CrlRow> {
    const ca = await this.cas.load(caId);
    const signer = this.cas.signer(ctx, ca);
    const revoked = [
      ...(await revokedOf(this.deps.database.db, caId)),
      ...(await revokedChildCas(this.deps.database.db, caId)),
    ];
    const entries = revoked.map((row) => ({
      serial: Buffer.from(row.serial, 'hex'),
      revokedAt: new Date(row.revoked_at!),
      reason: REVOCATION_REASONS[row.revocation_reason as RevocationReason] ?? 0,
    }));
    const now = this.deps.clock.now();
    const number = ca.row.crl_number + 1;
    const der = await issueCrl(
      {
        issuer: ca.subject,
        issuerSpki: ca.cert.spki,
        issuerKeyId: ca.cert.keyId,
        number,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + CRL_VALIDITY_MS),
        entries,
      },
      signer,
    );
    const row: CrlRow = {
      ca_id: caId,
      crl_number: number,
      this_update: now.toISOString(),
      next_update: new Date(now.getTime() + CRL_VALIDITY_MS).toISOString(),
      der: der.toString('base64'),
    };
    await this.deps.database.transaction(async (tx) => {
      if (!(await advanceCrlNumber(tx, caId, ca.row.crl_number, row.this_update)))
        throw new TrustloopError('ERR_CONFLICT', `another CRL of CA '${caId}' was issued meanwhile; retry`);
      await insertCrl(tx, row);
      await this.deps.audit.append(tx, ctx, {
        action: 'pki.crl.publish',
        resource: { type: 'pki-ca', id: caId },
        details: { crlNumber: number, entries: entries.length, nextUpdate: row.next_update },
      });
    });
    for (const listener of this.crlListeners) listener(caId);
    return row;
  }

  private async refuse(
    ctx: RequestContext,
    id: string,
    participantId: string | null,
    code: string,
    reason: string,
  ): Promise<void> {
    await this.deps.audit.record(ctx, {
      action: 'pki.certificate.revoke',
      resource: { type: 'pki-certificate', id },
      participantId,
      outcome: 'denied',
      errorCode: code,
      details: { reason },
    });
  }
}
