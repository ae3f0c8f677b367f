import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { AuditService } from '../audit/service.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import { scopeOf, systemContext, type Actor, type RequestContext } from '../core/context.js';
import type { Database } from '../core/db/database.js';
import { TrustloopError, invalid, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { KeyService } from '../cpm/keys/service.js';
import type { CryptoService } from '../cpm/ops/service.js';
import type { NotificationService } from '../notifications/service.js';
import { CaService, spkiOf, type CreateCaInput } from './ca.js';
import { ChainService } from './chains.js';
import { DAY_MS, type PkiDeps } from './context.js';
import { EnrolmentService } from './enrolment.js';
import { Issuer } from './issuance.js';
import { OcspResponder } from './ocsp/responder.js';
import { PROFILES, judgeKey, nameBelongsTo, ownDomainsText, type ProfileName } from './profiles.js';
import { DomainRegistry } from './domains.js';
import { CRL_REFRESH_MARGIN_MS, RevocationService } from './revocation.js';
import {
  findByFingerprint,
  findCertificate,
  latestCrl,
  latestResponderCertificate,
  listCertificates,
  dueExpiryWarnings,
  markWarned,
  type CaRow,
  type CertificateFilter,
  type CertificateRow,
  type CrlRow,
} from './store.js';
import { keyInfo, sha256Hex, type CaKeyType } from './x509/algorithms.js';
import { toPem } from './x509/build.js';
import { PKI_SIGNER_ROLE } from './x509/signer.js';
import { X509Offload } from './x509/offload.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Responder certificates are renewed once fewer than this many days remain. */
const RESPONDER_RENEW_DAYS = 7;
/** The expiry watch announces a certificate this many days before it expires. */
export const EXPIRY_WARNING_DAYS = 30;
/** Thresholds (days before expiry) at which the watch announces a certificate: once at each. */
export const EXPIRY_THRESHOLDS = [1, 7, EXPIRY_WARNING_DAYS] as const;
/** An external CA's imported CRL is announced this long before its nextUpdate. */
export const EXTERNAL_CRL_WARNING_MS = 3 * DAY_MS;

export interface TrustMaterial {
  /** PEM certificates of the CAs trusted for client certificates. */
  ca: string[];
  /** PEM CRLs, one for each trusted CA. */
  crl: string[];
  /** CPM CAs left out, and why (an external CA above them without a current CRL). */
  excluded: { caId: string; reason: string }[];
  /** Earliest nextUpdate (ISO) of the imported CRLs in use, if any. */
  refreshAt: string | undefined;
}

export interface HubIssueInput {
  profile: ProfileName;
  keyType: CaKeyType;
  dnsNames?: string[] | undefined;
  caId?: string | undefined;
  renewsCertificateId?: string | undefined;
}

/** The hub PKI: one entry point wiring CAs, issuance, enrolment, revocation, OCSP and chains. */
export class PkiService {
  readonly cas: CaService;
  readonly enrolments: EnrolmentService;
  readonly revocation: RevocationService;
  readonly ocsp: OcspResponder;
  readonly chains: ChainService;
  readonly domains: DomainRegistry;
  readonly config: Config;
  readonly clock: Clock;
  private readonly issuer: Issuer;
  private readonly offload: X509Offload;
  private readonly deps: PkiDeps;
  private readonly trustListeners = new Set<() => void>();

  constructor(
    database: Database,
    audit: AuditService,
    keys: KeyService,
    crypto: CryptoService,
    config: Config,
    private readonly notifications: NotificationService,
    clock: Clock = systemClock,
  ) {
    this.deps = { database, audit, keys, crypto, config, clock };
    this.config = config;
    this.clock = clock;
    this.cas = new CaService(this.deps);
    this.offload = new X509Offload();
    this.issuer = new Issuer(this.deps, this.cas, this.offload);
    this.domains = new DomainRegistry(this.deps);
    this.enrolments = new EnrolmentService(this.deps, this.cas, this.issuer, this.offload, this.domains);
    this.revocation = new RevocationService(this.deps, this.cas);
    this.ocsp = new OcspResponder(this.deps, this.cas);
    this.chains = new ChainService(this.deps);
    this.issuer.onIssued((certificates) => this.ocsp.enqueue(certificates));
    this.revocation.onCaRevoke((caId) => {
      this.cas.forgetIssuing(caId);
      this.ocsp.forgetCa();
      this.trustChanged();
    });
    this.revocation.onCrl(() => this.trustChanged());
    this.revocation.onRevoke(async (certificate, ctx) => {
      this.ocsp.forget(certificate);
      // Best effort: if it cannot be signed now, the first request signs it.
      await this.ocsp.presign(ctx, [certificate]).catch(() => 0);
    });
  }

  /** Finishes the OCSP pre-signing under way and stops the DER worker thread, if one was started. */
  async close(): Promise<void> {
    await this.ocsp.idle();
    await this.offload.close();
  }

  /**
   * Creates a CA. An issuing CA gets its delegated OCSP-signing certificate at once, and every CA
   * its first CRL, so CRL and OCSP answer from the first certificate on.
   */
  async createCa(ctx: RequestContext, input: CreateCaInput) {
    const ca = await this.cas.create(ctx, input);
    if (ca.role === 'issuing') await this.issueResponder(ctx, ca.id);
    await this.revocation.publishCrl(ctx, ca.id);
    this.ocsp.reloadCas();
    this.trustChanged();
    return ca;
  }

  /**
   * Takes back the certificate an external parent signed for a CA requested with
   * `cas.requestSigned`; like a created issuing CA it gets its OCSP responder and first CRL.
   */
  async completeCaRequest(ctx: RequestContext, requestId: string, certificatePem: string) {
    const ca = await this.cas.completeSigned(ctx, requestId, certificatePem);
    await this.issueResponder(ctx, ca.id);
    await this.revocation.publishCrl(ctx, ca.id);
    this.ocsp.reloadCas();
    this.trustChanged();
    return ca;
  }

  async importCa(ctx: RequestContext, input: { name: string; certificatePem: string }) {
    const ca = await this.cas.import(ctx, input);
    this.ocsp.reloadCas();
    this.trustChanged();
    return ca;
  }

  /**
   * Calls `listener` whenever what the mTLS listener trusts may have changed: a CA created,
   * imported, completed or revoked, a CRL issued or imported. Returns the unsubscribe function.
   */
  onTrustChange(listener: () => void): () => void {
    this.trustListeners.add(listener);
    return () => this.trustListeners.delete(listener);
  }

  /**
   * A hub certificate whose key is generated in the CPM (owner: the hub) and certified directly;
   * the key never leaves the CPM. Renewal issues a new key and certificate; the old one stays
   * valid until it expires, so JWS and TLS users can switch over without downtime.
   */
  async issueForHub(ctx: RequestContext, input: HubIssueInput): Promise<CertificateRow> {
    const profile = PROFILES[input.profile];
    const hubId = await this.hubId();
    const dnsNames = (input.dnsNames ?? []).map((name) => name.toLowerCase());
    const registered = await this.domains.domainsOf(hubId);
    const foreign = dnsNames.find((name) => !nameBelongsTo(name, hubId, this.deps.config.pkiDnsDomain, registered));
    if (foreign)
      throw new TrustloopError(
        'ERR_NAME_NOT_ALLOWED',
        `'${foreign}' is not under ${ownDomainsText(hubId, this.deps.config.pkiDnsDomain, registered)}`,
      );
    if (profile.requiresDnsName && dnsNames.length === 0)
      throw invalid('dnsNames', `a ${profile.name} certificate needs a DNS name`);
    if (input.renewsCertificateId !== undefined) {
      const old = await this.certificate(ctx, input.renewsCertificateId);
      if (old.participant_id !== hubId || old.profile !== profile.name)
        throw invalid('renewsCertificateId', `not a hub ${profile.name} certificate`);
    }
    const ca = await this.cas.issuing(input.caId);
    this.cas.signer(ctx, ca);
    const key = await this.deps.keys.create(ctx, {
      name: `pki-${profile.name}-${newId('key').slice(4)}`,
      type: input.keyType,
      purpose: 'sign',
      ...(profile.name === 'ocsp-signing'
        ? { policy: { roles: [PKI_SIGNER_ROLE], operations: ['sign' as const, 'verify' as const] } }
        : {}),
    });
    const info = keyInfo(spkiOf((await this.deps.keys.publicKey(ctx, key.id, 1, 'pem')).pem!));
    return this.issuer.issue(ctx, {
      ca,
      participantId: hubId,
      profile,
      subject: { commonName: profile.requiresDnsName ? dnsNames[0]! : hubId, organization: 'Scheme hub' },
      dnsNames,
      key: info,
      strengthBits: judgeKey(info, true).strengthBits,
      keySource: 'cpm',
      keyId: key.id,
      keyVersion: 1,
      renewsId: input.renewsCertificateId,
    });
  }

  /**
   * The mTLS listener's own server certificate. Node's TLS stack needs the private key in the
   * process, and CPM keys never leave the CPM, so the listener generates a P-256 key in memory
   * at each start (never written anywhere) and the issuing CA certifies it for a short time.
   */
  async issueListenerCertificate(ctx: RequestContext, hostNames: string[], ipAddresses: string[]) {
    const ca = await this.cas.issuing(undefined);
    const { publicKey, privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
    const info = keyInfo(publicKey.export({ type: 'spki', format: 'der' }));
    const certificate = await this.issuer.issue(ctx, {
      ca,
      participantId: await this.hubId(),
      profile: PROFILES['mtls-server'],
      subject: { commonName: hostNames[0] ?? ipAddresses[0] ?? 'trustloop', organization: 'Scheme hub' },
      dnsNames: hostNames,
      ipAddresses,
      key: info,
      strengthBits: 128,
      keySource: 'ephemeral',
      lifetimeDays: 7,
    });
    return {
      certificate,
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      chain: await this.cas.chainPem(ca.row.id),
    };
  }

  /** The participant behind an mTLS client certificate: valid, unexpired, of the mtls-client profile. */
  async actorForCertificate(der: Buffer): Promise<Actor> {
    const row = await findByFingerprint(this.deps.database.db, sha256Hex(der));
    const now = this.deps.clock.now().toISOString();
    const ca = row && (await this.cas.get(row.ca_id));
    if (!row || row.profile !== 'mtls-client' || row.status !== 'valid' || row.not_after <= now || ca?.revoked_at)
      throw new TrustloopError(
        'ERR_UNAUTHENTICATED',
        'the client certificate is not a valid mtls-client certificate of this hub',
      );
    return { type: 'certificate', id: row.id, role: 'participant', participantId: row.participant_id };
  }

  /**
   * What the mTLS listener trusts: every active CA whose key is in the CPM, with the CAs above it
   * (an imported external root or intermediate) and a CRL for each, because OpenSSL checks
   * revocation of every certificate in the chain. An external CA's CRL is the newest one imported
   * from it; a CPM CA under an external CA without a current imported CRL is left out (`excluded`,
   * with the reason) so its certificates are refused rather than accepted unchecked. `refreshAt`
   * is the earliest nextUpdate of those imported CRLs, when the material must be rebuilt.
   */
  async trustMaterial(ctx: RequestContext): Promise<TrustMaterial> {
    const all = await this.cas.list();
    const byId = new Map(all.map((ca) => [ca.id, ca]));
    const now = this.deps.clock.now().toISOString();
    const trusted = new Map<string, CaRow>();
    const imported = new Map<string, CrlRow>();
    const excluded: TrustMaterial['excluded'] = [];
    let refreshAt: string | undefined;
    const problemOf = async (ca: CaRow): Promise<string | undefined> => {
      if (ca.status !== 'active') return `external CA '${ca.id}' is ${ca.status}`;
      const crl = imported.get(ca.id) ?? (await latestCrl(this.deps.database.db, ca.id));
      if (!crl) return `no CRL imported from external CA '${ca.id}' (${ca.subject})`;
      if (crl.next_update <= now) return `the CRL of external CA '${ca.id}' expired at ${crl.next_update}`;
      imported.set(ca.id, crl);
      if (refreshAt === undefined || crl.next_update < refreshAt) refreshAt = crl.next_update;
      return undefined;
    };
    for (const ca of all) {
      if (ca.source !== 'cpm' || ca.status !== 'active') continue;
      const chain = [ca];
      for (let up = ca.parent_id && byId.get(ca.parent_id); up; up = up.parent_id && byId.get(up.parent_id))
        chain.push(up);
      let problem: string | undefined;
      for (const above of chain.slice(1)) if (above.source === 'external') problem ??= await problemOf(above);
      if (problem) excluded.push({ caId: ca.id, reason: problem });
      else for (const member of chain) trusted.set(member.id, member);
    }
    const crl = [];
    for (const ca of trusted.values()) {
      const row = imported.get(ca.id) ?? (await this.revocation.currentCrl(ctx, ca.id));
      crl.push(toPem(Buffer.from(row.der, 'base64'), 'X509 CRL'));
    }
    return { ca: [...trusted.values()].map((ca) => ca.certificate_pem), crl, excluded, refreshAt };
  }

  async certificate(ctx: RequestContext, id: string): Promise<CertificateRow> {
    const row = await findCertificate(this.deps.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('certificate', id);
    return row;
  }

  listCertificates(ctx: RequestContext, filter: CertificateFilter) {
    return listCertificates(this.deps.database.db, scopeOf(ctx.actor), filter);
  }

  /** Valid certificates expiring within `days`, with counts per participant and profile. */
  async expiring(
    ctx: RequestContext,
    days: number,
    filter: { participantId?: string | undefined; profile?: string | undefined },
  ) {
    const before = new Date(this.deps.clock.now().getTime() + days * DAY_MS).toISOString();
    const { rows } = await listCertificates(this.deps.database.db, scopeOf(ctx.actor), {
      ...filter,
      expiringBefore: before,
      limit: 1000,
      offset: 0,
    });
    const groups = new Map<string, { participantId: string; profile: string; count: number; soonest: string }>();
    for (const row of rows) {
      const key = `${row.participant_id}\u0000${row.profile}`;
      const group = groups.get(key) ?? {
        participantId: row.participant_id,
        profile: row.profile,
        count: 0,
        soonest: row.not_after,
      };
      group.count += 1;
      if (row.not_after < group.soonest) group.soonest = row.not_after;
      groups.set(key, group);
    }
    return { withinDays: days, certificates: rows, groups: [...groups.values()] };
  }

  /**
   * One round of upkeep: reissue CRLs nearing nextUpdate, renew responder certificates nearing
   * expiry, pre-sign OCSP answers that are missing or nearing nextUpdate, and announce certificates
   * crossing each expiry threshold once (an audit event and a `pki.certificate.expiring`
   * notification in one transaction). Returns what it did.
   */
  async maintain(ctx: RequestContext = systemContext()) {
    const now = this.deps.clock.now();
    const done = { crls: 0, responders: 0, expiring: 0, ocsp: 0, externalCrls: 0 };
    for (const ca of await this.cas.list()) {
      if (ca.source !== 'cpm' || ca.status !== 'active') continue;
      const crl = await latestCrl(this.deps.database.db, ca.id);
      if (!crl || Date.parse(crl.next_update) - now.getTime() <= CRL_REFRESH_MARGIN_MS) {
        await this.revocation.publishCrl(ctx, ca.id);
        done.crls += 1;
      }
      if (ca.role !== 'issuing') continue;
      const responder = await latestResponderCertificate(this.deps.database.db, ca.id, now.toISOString());
      if (!responder || Date.parse(responder.not_after) - now.getTime() < RESPONDER_RENEW_DAYS * DAY_MS) {
        await this.issueResponder(ctx, ca.id);
        done.responders += 1;
      }
    }
    done.ocsp = await this.ocsp.refresh(ctx);
    done.externalCrls = await this.announceExternalCrls(ctx, now);
    // Smallest threshold first: a certificate found at 5 days left is announced at 7, not at 30 as well.
    for (const days of EXPIRY_THRESHOLDS) {
      const before = new Date(now.getTime() + days * DAY_MS).toISOString();
      for (const row of await dueExpiryWarnings(this.deps.database.db, now.toISOString(), before, days)) {
        await this.deps.database.transaction(async (tx) => {
          await markWarned(tx, row.id, now.toISOString(), days);
          const details = { serial: row.serial, profile: row.profile, notAfter: row.not_after, withinDays: days };
          await this.deps.audit.append(tx, ctx, {
            action: 'pki.certificate.expiring',
            resource: { type: 'pki-certificate', id: row.id },
            participantId: row.participant_id,
            details,
          });
          await this.notifications.emit(tx, ctx, {
            type: 'pki.certificate.expiring',
            severity: days <= 7 ? 'critical' : 'warning',
            subject: `${row.profile} certificate ${row.serial} of ${row.participant_id} expires within ${days} day(s)`,
            participantId: row.participant_id,
            payload: { certificateId: row.id, subject: row.subject, ...details },
          });
        });
        done.expiring += 1;
      }
    }
    return done;
  }

  /**
   * Chains through an external CA are trusted only while an unexpired CRL from it is held, and
   * only its operator can issue the next one: each CRL that is missing or within
   * EXTERNAL_CRL_WARNING_MS of its nextUpdate is announced once (audit event and notification),
   * for an external CA with an active CA under it.
   */
  private async announceExternalCrls(ctx: RequestContext, now: Date): Promise<number> {
    const cas = await this.cas.list();
    let announced = 0;
    for (const ca of cas) {
      if (ca.source !== 'external' || ca.status !== 'active') continue;
      if (!cas.some((child) => child.parent_id === ca.id && child.status === 'active')) continue;
      const crl = await latestCrl(this.deps.database.db, ca.id);
      if (crl && Date.parse(crl.next_update) - now.getTime() > EXTERNAL_CRL_WARNING_MS) continue;
      // One announcement per CRL: the resource names the CA and the CRL number (0: none imported).
      const resource = { type: 'pki-crl', id: `${ca.id}#${crl?.crl_number ?? 0}` };
      const said = await this.deps.audit.list({
        action: 'pki.crl.expiring',
        resourceType: resource.type,
        resourceId: resource.id,
        limit: 1,
      });
      if (said.length > 0) continue;
      const details = { caId: ca.id, crlNumber: crl?.crl_number ?? null, nextUpdate: crl?.next_update ?? null };
      const expired = !crl || Date.parse(crl.next_update) <= now.getTime();
      await this.deps.database.transaction(async (tx) => {
        await this.deps.audit.append(tx, ctx, { action: 'pki.crl.expiring', resource, details });
        await this.notifications.emit(tx, ctx, {
          type: 'pki.crl.expiring',
          severity: expired ? 'critical' : 'warning',
          subject: crl
            ? `the CRL of external CA ${ca.name} (number ${crl.crl_number}) ${expired ? 'has expired' : `expires at ${crl.next_update}`}: import the next one`
            : `no CRL of external CA ${ca.name} is imported: certificates under it are refused until one is`,
          participantId: null,
          payload: { subject: ca.subject, ...details },
        });
      });
      announced += 1;
    }
    return announced;
  }

  private trustChanged(): void {
    for (const listener of this.trustListeners) listener();
  }

  private async issueResponder(ctx: RequestContext, caId: string): Promise<CertificateRow> {
    const row = await this.issueForHub(ctx, { profile: 'ocsp-signing', keyType: 'ec-p256', caId });
    this.ocsp.reloadCas();
    return row;
  }

  private async hubId(): Promise<string> {
    const hub = await this.deps.database.db
      .selectFrom('participants')
      .select('id')
      .where('kind', '=', 'hub')
      .executeTakeFirst();
    if (!hub) throw new TrustloopError('ERR_CONFLICT', 'register the hub participant first (kind "hub")');
    return hub.id;
  }
}
