import type { RequestContext } from '../core/context.js';
import type { Tx } from '../core/db/database.js';
import { isoNow } from '../core/clock.js';
import { TrustloopError, isTrustloopError } from '../core/errors.js';
import type { AuditEntry } from '../audit/service.js';
import { newId } from '../core/ids.js';
import type { CaService, LoadedCa } from './ca.js';
import { DAY_MS, caCertUrl, crlUrl, ocspUrl, type PkiDeps } from './context.js';
import { keyUsageFor, type Profile } from './profiles.js';
import { activeCaIds, insertCertificates, type CertificateRow } from './store.js';
import { sha256Hex, type KeyInfo } from './x509/algorithms.js';
import { randomSerial, toPem, type SubjectFields } from './x509/build.js';
import { nameDer, type X509Offload } from './x509/offload.js';

export interface IssueRequest {
  ca: LoadedCa;
  participantId: string;
  profile: Profile;
  subject: SubjectFields;
  dnsNames: string[];
  ipAddresses?: string[] | undefined;
  key: KeyInfo;
  strengthBits: number;
  keySource: CertificateRow['key_source'];
  keyId?: string | null | undefined;
  keyVersion?: number | null | undefined;
  enrolmentId?: string | null | undefined;
  renewsId?: string | null | undefined;
  lifetimeDays?: number | undefined;
}

/**
 * Issues one certificate: builds it from the profile (never from what the requester asked for
 * beyond the validated names), has the CA sign it in the CPM, and stores it with an audit event
 * carrying serial and SHA-256 fingerprint. `alsoInTx` adds the caller's writes to the same
 * transaction (an enrolment marked issued), so all of it commits or none.
 */
export class Issuer {
  private readonly waiting: Waiting[] = [];
  private flushing = false;
  private readonly listeners: ((certificates: CertificateRow[]) => void)[] = [];
  /** Issuances between the start of `issue` and their place in the commit queue. */
  private building = 0;

  constructor(
    private readonly deps: PkiDeps,
    private readonly cas: CaService,
    private readonly offload: X509Offload,
  ) {}

  async issue(
    ctx: RequestContext,
    request: IssueRequest,
    alsoInTx?: (tx: Tx, certificate: CertificateRow) => Promise<void>,
  ): Promise<CertificateRow> {
    this.building += 1;
    let prepared: { row: CertificateRow; event: AuditEntry };
    try {
      prepared = await this.prepare(ctx, request);
    } finally {
      this.building -= 1;
    }
    const { row, event } = prepared;
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({ ctx, row, event, alsoInTx, resolve, reject });
      if (!this.flushing) void this.flush();
    });
    return row;
  }

  /** Called with each group of certificates once it is committed (the OCSP responder pre-signs). */
  onIssued(listener: (certificates: CertificateRow[]) => void): void {
    this.listeners.push(listener);
  }

  /** The signed certificate's row and its audit event. */
  private async prepare(ctx: RequestContext, request: IssueRequest) {
    const { ca, profile } = request;
    const signer = this.cas.signer(ctx, ca);
    const now = this.deps.clock.now();
    let notAfter = new Date(now.getTime() + (request.lifetimeDays ?? profile.lifetimeDays) * DAY_MS);
    if (notAfter > ca.cert.notAfter) notAfter = ca.cert.notAfter;
    const serialBytes = randomSerial();
    const der = await this.offload.issue(
      {
        serial: serialBytes,
        issuerDer: nameDer(ca.subject),
        issuerSpki: ca.cert.spki,
        issuerKeyId: ca.cert.keyId,
        subject: request.subject,
        subjectSpki: request.key.spki,
        notBefore: now,
        notAfter,
        keyUsage: keyUsageFor(profile, request.key),
        extendedKeyUsage: profile.extendedKeyUsage,
        dnsNames: request.dnsNames,
        ipAddresses: request.ipAddresses,
        crlUrl: crlUrl(this.deps.config, ca.row.id),
        ocspUrl: profile.ocspNoCheck ? undefined : ocspUrl(this.deps.config),
        caIssuersUrl: caCertUrl(this.deps.config, ca.row.id),
        ocspNoCheck: profile.ocspNoCheck,
      },
      signer,
    );
    const serial = serialBytes.toString('hex');
    const row: CertificateRow = {
      id: newId('crt'),
      serial,
      ca_id: ca.row.id,
      participant_id: request.participantId,
      profile: profile.name,
      subject: subjectText(request.subject),
      dns_names: JSON.stringify(request.dnsNames),
      key_type: request.key.type,
      key_strength_bits: request.strengthBits,
      spki_sha256: sha256Hex(request.key.spki),
      key_source: request.keySource,
      key_id: request.keyId ?? null,
      key_version: request.keyVersion ?? null,
      fingerprint_sha256: sha256Hex(der),
      certificate_pem: toPem(der, 'CERTIFICATE'),
      not_before: now.toISOString(),
      not_after: notAfter.toISOString(),
      status: 'valid',
      revoked_at: null,
      revocation_reason: null,
      revoked_by: null,
      enrolment_id: request.enrolmentId ?? null,
      renews_id: request.renewsId ?? null,
      expiry_warned_at: null,
      expiry_warned_days: null,
      created_at: isoNow(this.deps.clock),
    };
    const event = {
      action: 'pki.certificate.issue',
      resource: { type: 'pki-certificate', id: row.id },
      participantId: row.participant_id,
      details: {
        serial: row.serial,
        fingerprintSha256: row.fingerprint_sha256,
        caId: row.ca_id,
        profile: row.profile,
        subject: row.subject,
        dnsNames: request.dnsNames,
        keyType: row.key_type,
        keyStrengthBits: row.key_strength_bits,
        notAfter: row.not_after,
        enrolmentId: row.enrolment_id,
        renewsId: row.renews_id,
      },
    };
    return { row, event };
  }

  /**
   * Group commit: certificates signed while a commit is in flight are stored together in the next
   * transaction, each with its audit event, so concurrent issuances share one fsync. If that
   * commit fails every waiting issuance fails. A refusal of one item's own writes (an enrolment
   * decided meanwhile) is not a storage failure: the group is then retried one by one, so only
   * that issuance fails.
   */
  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      // Let issuances already being built and signed join this group before the commit blocks
      // the event loop: a few milliseconds at most, and not at all when nothing else is under way.
      await new Promise(setImmediate);
      const deadline = performance.now() + GROUP_WAIT_MS;
      while (this.building > 0 && this.waiting.length < MAX_GROUP && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 1));
      const batch = this.waiting.splice(0, MAX_GROUP);
      const stored: CertificateRow[] = [];
      try {
        await this.store(batch);
        for (const item of batch) item.resolve();
        stored.push(...batch.map((item) => item.row));
      } catch (error) {
        if (batch.length === 1 || !isTrustloopError(error) || error.status >= 500) {
          for (const item of batch) item.reject(error);
          continue;
        }
        for (const item of batch)
          await this.store([item]).then(() => {
            item.resolve();
            stored.push(item.row);
          }, item.reject);
      }
      if (stored.length > 0) for (const listener of this.listeners) listener(stored);
    }
    this.flushing = false;
  }

  private store(batch: Waiting[]): Promise<void> {
    return this.deps.database.transaction(async (tx) => {
      // The CA may have been revoked since the issuance read it (here or on another instance).
      const caIds = [...new Set(batch.map((item) => item.row.ca_id))];
      const active = await activeCaIds(tx, caIds);
      const gone = caIds.find((id) => !active.has(id));
      if (gone !== undefined) {
        this.cas.forgetIssuing(gone);
        throw new TrustloopError('ERR_CA_UNUSABLE', `CA '${gone}' is no longer active`);
      }
      await insertCertificates(
        tx,
        batch.map((item) => item.row),
      );
      for (const item of batch) if (item.alsoInTx) await item.alsoInTx(tx, item.row);
      // The audit events come after every other write of the group; one append per caller context.
      for (let i = 0; i < batch.length;) {
        let j = i + 1;
        while (j < batch.length && batch[j]!.ctx === batch[i]!.ctx) j += 1;
        await this.deps.audit.append(tx, batch[i]!.ctx, ...batch.slice(i, j).map((item) => item.event));
        i = j;
      }
    });
  }
}

/** Certificates per group commit: bounds one transaction under a flood. */
const MAX_GROUP = 200;
/** How long a group commit waits for issuances still being signed to join it. */
const GROUP_WAIT_MS = 5;

interface Waiting {
  ctx: RequestContext;
  row: CertificateRow;
  event: AuditEntry;
  alsoInTx: ((tx: Tx, certificate: CertificateRow) => Promise<void>) | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export const subjectText = (subject: SubjectFields): string =>
  [
    subject.country && `C=${subject.country}`,
    subject.organization && `O=${subject.organization}`,
    `CN=${subject.commonName}`,
  ]
    .filter(Boolean)
    .join(', ');
