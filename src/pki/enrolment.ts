import type { RequestContext } from '../core/context.js';
import { scopeOf } from '../core/context.js';
import { TrustloopError, isTrustloopError, notFound } from '../core/errors.js';
import { isoNow } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { CaService } from './ca.js';
import type { PkiDeps } from './context.js';
import type { Issuer } from './issuance.js';
import { PROFILES, isProfileName, judgeKey, type Profile } from './profiles.js';
import {
  findCertificate,
  findEnrolment,
  insertEnrolment,
  keyAlreadyCertified,
  listEnrolments,
  updatePendingEnrolment,
  type CertificateRow,
  type EnrolmentRow,
} from './store.js';
import { CHECK_CODES, validateCsr, type Check } from './validation.js';
import { sha256Hex } from './x509/algorithms.js';
import type { ParsedCsr } from './x509/csr.js';
import type { X509Offload } from './x509/offload.js';
import type { DomainRegistry } from './domains.js';

/** A CSR larger than this is refused before parsing; an RSA-8192 request is about 3.5 KiB. */
export const MAX_CSR_PEM_BYTES = 16 * 1024;

export interface EnrolInput {
  participantId?: string | undefined;
  profile: string;
  csrPem: string;
  caId?: string | undefined;
  renewsCertificateId?: string | undefined;
}

export interface Approval {
  actorId: string;
  role: string | null;
  at: string;
}

/**
 * Enrolment: a participant submits a CSR for a profile; it is validated check by check, queued,
 * and issued once enough officers approve (one, or two distinct ones under dual control). Every
 * refusal is audited with its code and nothing is stored or issued.
 */
export class EnrolmentService {
  constructor(
    private readonly deps: PkiDeps,
    private readonly cas: CaService,
    private readonly issuer: Issuer,
    private readonly offload: X509Offload,
    private readonly domains: DomainRegistry,
  ) {}

  /** Validates without storing anything: the Connection Manager style report. */
  async validate(
    ctx: RequestContext,
    input: EnrolInput,
  ): Promise<{ participantId: string; checks: Check[]; keyType: string; weaker: boolean }> {
    const { participantId, checks, csr } = await this.examine(ctx, input);
    const verdict = judgeKey(csr.key, this.deps.config.pkiAllowRsa2048);
    return { participantId, checks, keyType: csr.key.type, weaker: verdict.weaker };
  }

  async submit(ctx: RequestContext, input: EnrolInput): Promise<EnrolmentRow> {
    return this.refusalsAudited(ctx, 'pki.enrolment.submit', input, async () => {
      const { participantId, profile, csr, checks } = await this.examine(ctx, input);
      refuseInvalid(checks);
      const ca = await this.cas.issuing(input.caId);
      this.cas.signer(ctx, ca);
      const now = isoNow(this.deps.clock);
      const row: EnrolmentRow = {
        id: newId('csr'),
        participant_id: participantId,
        profile: profile.name,
        ca_id: ca.row.id,
        csr_pem: input.csrPem,
        subject: [csr.organization && `O=${csr.organization}`, `CN=${csr.commonName}`].filter(Boolean).join(', '),
        dns_names: JSON.stringify(csr.dnsNames),
        key_type: csr.key.type,
        checks: JSON.stringify(checks),
        status: 'pending',
        required_approvals: this.deps.config.pkiApprovals,
        approvals: '[]',
        submitted_by: ctx.actor.id,
        decided_by: null,
        reason: null,
        certificate_id: null,
        renews_id: input.renewsCertificateId ?? null,
        created_at: now,
        updated_at: now,
      };
      await this.deps.database.transaction(async (tx) => {
        await insertEnrolment(tx, row);
        await this.deps.audit.append(tx, ctx, {
          action: 'pki.enrolment.submit',
          resource: { type: 'pki-enrolment', id: row.id },
          participantId,
          details: {
            profile: row.profile,
            caId: row.ca_id,
            keyType: row.key_type,
            dnsNames: csr.dnsNames,
            renewsId: row.renews_id,
          },
        });
      });
      return row;
    });
  }

  /** An officer's approval; the last one needed issues the certificate in the same transaction. */
  async approve(
    ctx: RequestContext,
    id: string,
  ): Promise<{ enrolment: EnrolmentRow; certificate: CertificateRow | null }> {
    const row = await this.pending(ctx, id, 'pki.enrolment.approve');
    const approvals = JSON.parse(row.approvals) as Approval[];
    if (row.submitted_by === ctx.actor.id || approvals.some((a) => a.actorId === ctx.actor.id)) {
      await this.deny(ctx, 'pki.enrolment.approve', row, 'ERR_DUAL_CONTROL');
      throw new TrustloopError('ERR_DUAL_CONTROL', 'the submitter and each approver must be different people');
    }
    const now = isoNow(this.deps.clock);
    const next = [...approvals, { actorId: ctx.actor.id, role: ctx.actor.role, at: now }];
    const approveEvent = {
      action: 'pki.enrolment.approve',
      resource: { type: 'pki-enrolment', id },
      participantId: row.participant_id,
      details: { approvals: next.length, required: row.required_approvals },
    };
    if (next.length < row.required_approvals) {
      const updated = { ...row, approvals: JSON.stringify(next), updated_at: now };
      await this.deps.database.transaction(async (tx) => {
        if (!(await updatePendingEnrolment(tx, id, row.approvals, { approvals: updated.approvals, updated_at: now })))
          throw new TrustloopError('ERR_CONFLICT', `enrolment '${id}' changed meanwhile; reload and retry`);
        await this.deps.audit.append(tx, ctx, approveEvent);
      });
      return { enrolment: updated, certificate: null };
    }
    return this.refusalsAudited(
      ctx,
      'pki.enrolment.approve',
      { participantId: row.participant_id, profile: row.profile, csrPem: '' },
      async () => {
        const csr = await this.offload.parseCsr(row.csr_pem);
        const profile = PROFILES[row.profile as Profile['name']];
        if (await keyAlreadyCertified(this.deps.database.db, sha256Hex(csr.key.spki)))
          throw new TrustloopError('ERR_KEY_REUSED', 'this public key was certified since the request was made');
        const change = {
          status: 'issued' as const,
          approvals: JSON.stringify(next),
          decided_by: ctx.actor.id,
          updated_at: now,
        };
        const certificate = await this.issuer.issue(
          ctx,
          this.issueRequest(await this.cas.load(row.ca_id), row, profile, csr),
          async (tx, cert) => {
            if (!(await updatePendingEnrolment(tx, id, row.approvals, { ...change, certificate_id: cert.id })))
              throw new TrustloopError('ERR_CONFLICT', `enrolment '${id}' changed meanwhile; reload and retry`);
            await this.deps.audit.append(tx, ctx, approveEvent);
          },
        );
        return { enrolment: { ...row, ...change, certificate_id: certificate.id }, certificate };
      },
    );
  }

  async reject(ctx: RequestContext, id: string, reason: string): Promise<EnrolmentRow> {
    const row = await this.pending(ctx, id, 'pki.enrolment.reject');
    const now = isoNow(this.deps.clock);
    const change = { status: 'rejected' as const, decided_by: ctx.actor.id, reason, updated_at: now };
    await this.deps.database.transaction(async (tx) => {
      if (!(await updatePendingEnrolment(tx, id, row.approvals, change)))
        throw new TrustloopError('ERR_CONFLICT', `enrolment '${id}' changed meanwhile; reload and retry`);
      await this.deps.audit.append(tx, ctx, {
        action: 'pki.enrolment.reject',
        resource: { type: 'pki-enrolment', id },
        participantId: row.participant_id,
        details: { reason },
      });
    });
    return { ...row, ...change };
  }

  /** An officer issues from a CSR at once (cfssl's `sign`); refused when dual control is on. */
  async issueNow(ctx: RequestContext, input: EnrolInput): Promise<CertificateRow> {
    return this.refusalsAudited(ctx, 'pki.certificate.issue', input, async () => {
      if (this.deps.config.pkiApprovals > 1)
        throw new TrustloopError(
          'ERR_DUAL_CONTROL',
          'dual control is on: submit an enrolment for two officers to approve',
        );
      const { participantId, profile, csr, checks } = await this.examine(ctx, input);
      refuseInvalid(checks);
      const ca = await this.cas.issuing(input.caId);
      const row = { participant_id: participantId, id: null, renews_id: input.renewsCertificateId ?? null };
      return this.issuer.issue(ctx, this.issueRequest(ca, row, profile, csr));
    });
  }

  list(
    ctx: RequestContext,
    filter: {
      status?: EnrolmentRow['status'] | undefined;
      participantId?: string | undefined;
      limit: number;
      offset: number;
    },
  ) {
    return listEnrolments(this.deps.database.db, scopeOf(ctx.actor), filter);
  }

  async get(ctx: RequestContext, id: string): Promise<EnrolmentRow> {
    const row = await findEnrolment(this.deps.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('enrolment', id);
    return row;
  }

  private issueRequest(
    ca: Awaited<ReturnType<CaService['load']>>,
    row: { participant_id: string; id: string | null; renews_id: string | null },
    profile: Profile,
    csr: ParsedCsr,
  ) {
    const verdict = judgeKey(csr.key, this.deps.config.pkiAllowRsa2048);
    return {
      ca,
      participantId: row.participant_id,
      profile,
      subject: {
        commonName: csr.commonName!,
        organization: csr.organization ?? undefined,
        country: validCountry(csr.country),
      },
      dnsNames: csr.dnsNames.map((name) => name.toLowerCase()),
      key: csr.key,
      strengthBits: verdict.strengthBits,
      keySource: 'csr' as const,
      enrolmentId: row.id,
      renewsId: row.renews_id,
    };
  }

  private async examine(ctx: RequestContext, input: EnrolInput) {
    const participantId = await this.participantFor(ctx, input.participantId);
    if (Buffer.byteLength(input.csrPem) > MAX_CSR_PEM_BYTES)
      throw new TrustloopError('ERR_CSR_TOO_LARGE', `the CSR is larger than ${MAX_CSR_PEM_BYTES} bytes`);
    if (!isProfileName(input.profile) || !PROFILES[input.profile].enrolable)
      throw new TrustloopError(
        'ERR_PROFILE_UNKNOWN',
        `profile '${input.profile.slice(0, 40)}' does not exist or cannot be requested; use mtls-server, mtls-client or jws-signing`,
      );
    const profile = PROFILES[input.profile];
    if (input.renewsCertificateId !== undefined)
      await this.renewable(ctx, input.renewsCertificateId, participantId, profile);
    const csr = await this.offload.parseCsr(input.csrPem);
    const checks = validateCsr({
      csr,
      profile,
      participantId,
      schemeDomain: this.deps.config.pkiDnsDomain,
      allowRsa2048: this.deps.config.pkiAllowRsa2048,
      keyAlreadyCertified: await keyAlreadyCertified(this.deps.database.db, sha256Hex(csr.key.spki)),
      registeredDomains: await this.domains.domainsOf(participantId),
    });
    return { participantId, profile, csr, checks };
  }

  private async renewable(ctx: RequestContext, id: string, participantId: string, profile: Profile): Promise<void> {
    const old = await findCertificate(this.deps.database.db, scopeOf(ctx.actor), id);
    if (!old || old.participant_id !== participantId) throw notFound('certificate', id);
    if (old.profile !== profile.name)
      throw new TrustloopError(
        'ERR_VALIDATION',
        `renewsCertificateId: that certificate is a ${old.profile} certificate`,
      );
    if (old.status !== 'valid')
      throw new TrustloopError('ERR_ALREADY_REVOKED', `certificate '${id}' is revoked; enrol afresh`);
  }

  private async participantFor(ctx: RequestContext, requested: string | undefined): Promise<string> {
    const own = ctx.actor.participantId;
    if (own !== null && requested !== undefined && requested !== own)
      throw new TrustloopError('ERR_FORBIDDEN', 'a participant can only enrol for itself');
    const participantId = own ?? requested;
    if (participantId === undefined)
      throw new TrustloopError('ERR_VALIDATION', 'participantId: required for hub callers');
    const participant = await this.deps.database.db
      .selectFrom('participants')
      .select(['id', 'status'])
      .where('id', '=', participantId)
      .executeTakeFirst();
    if (!participant) throw notFound('participant', participantId);
    if (participant.status !== 'active')
      throw new TrustloopError('ERR_CONFLICT', `participant '${participantId}' is suspended`);
    return participantId;
  }

  private async pending(ctx: RequestContext, id: string, action: string): Promise<EnrolmentRow> {
    const row = await findEnrolment(this.deps.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('enrolment', id);
    if (row.status !== 'pending') {
      await this.deny(ctx, action, row, 'ERR_ENROLMENT_DECIDED');
      throw new TrustloopError('ERR_ENROLMENT_DECIDED', `enrolment '${id}' is already ${row.status}`);
    }
    return row;
  }

  private deny(ctx: RequestContext, action: string, row: EnrolmentRow, code: string) {
    return this.deps.audit.record(ctx, {
      action,
      resource: { type: 'pki-enrolment', id: row.id },
      participantId: row.participant_id,
      outcome: 'denied',
      errorCode: code,
    });
  }

  /** Runs `work`; a refusal is written to the audit trail (code, participant, profile) and rethrown. */
  private async refusalsAudited<T>(
    ctx: RequestContext,
    action: string,
    input: EnrolInput,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isTrustloopError(error) && error.status < 500) {
        await this.deps.audit.record(ctx, {
          action,
          resource: { type: 'pki-enrolment' },
          participantId:
            ctx.actor.participantId ??
            (typeof input.participantId === 'string' ? input.participantId.slice(0, 32) : null),
          outcome: 'denied',
          errorCode: error.code,
          details: { profile: input.profile.slice(0, 40), reason: error.message },
        });
      }
      throw error;
    }
  }
}

function refuseInvalid(checks: Check[]): void {
  const failed = checks.filter((c) => c.status === 'INVALID');
  if (failed.length === 0) return;
  throw new TrustloopError(CHECK_CODES[failed[0]!.id], failed.map((c) => `${c.id}: ${c.message}`).join('; '));
}

const validCountry = (country: string | null): string | undefined =>
  country !== null && /^[A-Z]{2}$/.test(country) ? country : undefined;
