import type { RequestContext } from '../core/context.js';
import type { Tx } from '../core/db/database.js';
import { isoNow } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { CaService, LoadedCa } from './ca.js';
import { DAY_MS, caCertUrl, crlUrl, ocspUrl, type PkiDeps } from './context.js';
import { keyUsageFor, type Profile } from './profiles.js';
import { insertCertificate, type CertificateRow } from './store.js';
import { sha256Hex, type KeyInfo } from './x509/algorithms.js';
import { encodeName, issueCertificate, randomSerial, toPem, type SubjectFields } from './x509/build.js';

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
  constructor(
    private readonly deps: PkiDeps,
    private readonly cas: CaService,
  ) {}

  async issue(
    ctx: RequestContext,
    request: IssueRequest,
    alsoInTx?: (tx: Tx, certificate: CertificateRow) => Promise<void>,
  ): Promise<CertificateRow> {
    const { ca, profile } = request;
    const signer = this.cas.signer(ctx, ca);
    const now = this.deps.clock.now();
    let notAfter = new Date(now.getTime() + (request.lifetimeDays ?? profile.lifetimeDays) * DAY_MS);
    if (notAfter > ca.cert.notAfter) notAfter = ca.cert.notAfter;
    const serialBytes = randomSerial();
    const der = await issueCertificate(
      {
        serial: serialBytes,
        issuer: ca.subject,
        issuerSpki: ca.cert.spki,
        subject: encodeName(request.subject),
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
    await this.deps.database.transaction(async (tx) => {
      await insertCertificate(tx, row);
      if (alsoInTx) await alsoInTx(tx, row);
      await this.deps.audit.append(tx, ctx, {
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
      });
    });
    return row;
  }
}

export const subjectText = (subject: SubjectFields): string =>
  [
    subject.country && `C=${subject.country}`,
    subject.organization && `O=${subject.organization}`,
    `CN=${subject.commonName}`,
  ]
    .filter(Boolean)
    .join(', ');
