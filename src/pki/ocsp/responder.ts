import { CertID, OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import { OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, type Extension } from '@peculiar/asn1-x509';
import { systemContext, type RequestContext } from '../../core/context.js';
import type { CaService, LoadedCa } from '../ca.js';
import type { PkiDeps } from '../context.js';
import { REVOCATION_REASONS, type RevocationReason } from '../revocation.js';
import {
  certificatesNeedingOcsp,
  findOcspResponse,
  revocationStatus,
  latestResponderCertificate,
  saveOcspResponses,
  type CertificateRow,
  type OcspResponseRow,
} from '../store.js';
import { toArrayBuffer } from '../x509/build.js';
import { readCertificatesPem } from '../x509/certificate.js';
import { keepEncoding, type Encoded } from '../x509/encoded.js';
import { cpmSigner } from '../x509/signer.js';
import type { CaKeyType } from '../x509/algorithms.js';
import { StatusCache } from './status-cache.js';
import {
  HASH_BY_OID,
  errorResponse,
  issuerHashes,
  parseOcspRequest,
  responderIdentity,
  signedResponse,
  type ResponderIdentity,
  type Status,
} from './respond.js';

/** Responses signed on request are valid for an hour and served from the cache for five minutes. */
const VALID_FOR_MS = 3_600_000;
/** Pre-signed answers are valid as long as a CRL and are re-signed once less than this remains. */
const PRESIGNED_VALID_MS = 24 * 3_600_000;
export const PRESIGNED_REFRESH_MS = 6 * 3_600_000;
/** Pre-signing after issuance runs in batches, pausing between them so issuance keeps the lead. */
const PRESIGN_BATCH = 50;
const PRESIGN_PAUSE_MS = 10;
const SHA1_OID = '1.3.14.3.2.26';
const CACHE_FOR_MS = 300_000;
const CACHE_LIMIT = 50_000;
const CA_TABLE_TTL_MS = 5_000;

interface CaHashes {
  ca: LoadedCa;
  byHash: Map<string, { name: string; key: string }>;
}

/**
 * An RFC 6960 responder for every issuing CA, signing with each CA's delegated OCSP-signing
 * certificate (its key in the CPM). The answer without a nonce (SHA-1 CertID, what clients send
 * by default) is pre-signed for every certificate: in the background after issuance, at once
 * after a revocation, and again before its nextUpdate; it is stored and served from storage or
 * memory without signing. Other requests without a nonce are signed once and cached; a request
 * with a nonce gets a freshly signed response carrying the same nonce.
 */
export class OcspResponder {
  private readonly cache = new Map<string, { der: Buffer; until: number }>();
  /**
   * A single-certificate request without a nonce, by its exact DER, to its `cache` key: a client
   * asks the same bytes again and again, and parsing them was most of the responder's own work.
   */
  private readonly keyByRequest = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private readonly certIds = new Map<string, Encoded<CertID>>();
  /** Statuses for answers signed per request (with a nonce, or more than one certificate). */
  private readonly statuses = new StatusCache();
  private readonly responders = new Map<string, { identity: ResponderIdentity; until: number }>();
  private caTable: { loadedAt: number; cas: CaHashes[] } | undefined;
  private readonly queue: CertificateRow[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly deps: PkiDeps,
    private readonly cas: CaService,
  ) {}

  /** Answers one DER OCSPRequest with a DER OCSPResponse; never throws for bad input. */
  async respond(der: Buffer): Promise<Buffer> {
    const requestKey = der.toString('latin1');
    const known = this.cache.get(this.keyByRequest.get(requestKey) ?? '');
    if (known && known.until > this.deps.clock.now().getTime()) return known.der;
    const request = parseOcspRequest(der);
    if (!request) return errorResponse(OCSPResponseStatus.malformedRequest);
    const matches = [];
    for (const certId of request.certIds) {
      const match = await this.match(certId);
      if (!match) return errorResponse(OCSPResponseStatus.unauthorized);
      matches.push(match);
    }
    const ca = matches[0]!.ca;
    if (matches.some((m) => m.ca.row.id !== ca.row.id)) return errorResponse(OCSPResponseStatus.unauthorized);
    const single = matches.length === 1 && !request.nonce ? matches[0]! : undefined;
    if (!single) return (await this.sign(ca, matches, request.nonce)).der;
    const key = cacheKey(single.certId, single.hashOid);
    boundedSet(this.keyByRequest, requestKey, key);
    const now = this.deps.clock.now().getTime();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.der;
    if (single.hashOid === SHA1_OID) {
      const stored = await findOcspResponse(this.deps.database.db, ca.row.id, single.serial);
      if (stored && Date.parse(stored.next_update) - now > PRESIGNED_REFRESH_MS) {
        const der = Buffer.from(stored.der, 'base64');
        this.remember(key, der, Date.parse(stored.next_update) - PRESIGNED_REFRESH_MS);
        return der;
      }
    }
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.sign(ca, [single], undefined)
      .then(({ der: response, signed }) => {
        if (signed) this.remember(key, response, this.deps.clock.now().getTime() + CACHE_FOR_MS);
        return response;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  /** Drops a certificate's cached responses and status (after a revocation) so the next answer is fresh. */
  forget(certificate: CertificateRow): void {
    this.statuses.forget(certificate.ca_id, certificate.serial);
    for (const key of this.cache.keys()) if (key.endsWith(`:${certificate.serial}`)) this.cache.delete(key);
  }

  /** Queues newly issued certificates for pre-signing in the background. */
  enqueue(rows: CertificateRow[]): void {
    this.queue.push(...rows);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Resolves once every queued certificate is pre-signed (or its batch failed). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Signs and stores the no-nonce answer for each certificate (its status as in `rows`) and keeps
   * it in memory; one audit event per CA and batch. Returns how many were signed.
   */
  async presign(ctx: RequestContext, rows: CertificateRow[]): Promise<number> {
    const byCa = new Map<string, CertificateRow[]>();
    for (const row of rows) byCa.set(row.ca_id, [...(byCa.get(row.ca_id) ?? []), row]);
    let signed = 0;
    for (const [caId, certificates] of byCa) {
      const ca = await this.cas.load(caId);
      const identity = await this.identity(ca);
      if (!identity) continue;
      const issuer = issuerHashes(ca.subject, ca.cert.asn.tbsCertificate.subjectPublicKeyInfo, 'sha1');
      const now = this.deps.clock.now();
      const stored: OcspResponseRow[] = [];
      for (const row of certificates) {
        const certId = new CertID({
          hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1_OID, parameters: null }),
          issuerNameHash: new OctetString(Buffer.from(issuer.name, 'hex')),
          issuerKeyHash: new OctetString(Buffer.from(issuer.key, 'hex')),
          serialNumber: toArrayBuffer(Buffer.from(row.serial, 'hex')),
        });
        const der = await signedResponse(
          identity,
          [{ certId, status: statusOf(row) }],
          now,
          PRESIGNED_VALID_MS,
          undefined,
        );
        stored.push({
          ca_id: caId,
          serial: row.serial,
          status: row.status === 'revoked' ? 'revoked' : 'good',
          this_update: now.toISOString(),
          next_update: new Date(now.getTime() + PRESIGNED_VALID_MS).toISOString(),
          der: der.toString('base64'),
        });
      }
      await this.deps.database.transaction(async (tx) => {
        await saveOcspResponses(tx, stored);
        await this.deps.audit.append(tx, ctx, {
          action: 'pki.ocsp.presign',
          resource: { type: 'pki-ca', id: caId },
          details: { certificates: stored.length, serials: stored.map((row) => row.serial).slice(0, 100) },
        });
      });
      for (const row of stored) {
        const key = `${SHA1_OID}:${issuer.key}:${row.serial}`;
        this.remember(key, Buffer.from(row.der, 'base64'), Date.parse(row.next_update) - PRESIGNED_REFRESH_MS);
      }
      signed += stored.length;
    }
    return signed;
  }

  /** Pre-signs what is missing or nearing its nextUpdate, at most `limit` certificates a round. */
  async refresh(ctx: RequestContext, limit = 1000): Promise<number> {
    const now = this.deps.clock.now();
    const due = await certificatesNeedingOcsp(
      this.deps.database.db,
      new Date(now.getTime() + PRESIGNED_REFRESH_MS).toISOString(),
      now.toISOString(),
      limit,
    );
    let signed = 0;
    for (let i = 0; i < due.length; i += PRESIGN_BATCH)
      signed += await this.presign(ctx, due.slice(i, i + PRESIGN_BATCH));
    return signed;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, PRESIGN_PAUSE_MS));
      const batch = this.queue.splice(0, PRESIGN_BATCH);
      try {
        await this.presign(systemContext(), batch);
      } catch {
        // Sealed keystore, disabled responder key: the first request signs the answer instead,
        // and the scheduled refresh pre-signs it later.
      }
    }
  }

  /** Drops what is known about CAs and responders (a CA or responder certificate was added). */
  reloadCas(): void {
    this.caTable = undefined;
    this.responders.clear();
  }

  /** A CA was revoked: forget every cached answer; its certificates are no longer answered for. */
  forgetCa(): void {
    this.reloadCas();
    this.cache.clear();
    this.statuses.clear();
  }

  private async sign(
    ca: LoadedCa,
    matches: { certId: CertID; serial: string }[],
    nonce: Extension | undefined,
  ): Promise<{ der: Buffer; signed: boolean }> {
    const tryLater = { der: errorResponse(OCSPResponseStatus.tryLater), signed: false };
    const identity = await this.identity(ca);
    if (!identity) return tryLater;
    const answers = [];
    for (const match of matches) answers.push({ certId: match.certId, status: await this.status(ca, match.serial) });
    try {
      return { der: await signedResponse(identity, answers, this.deps.clock.now(), VALID_FOR_MS, nonce), signed: true };
    } catch {
      // Sealed keystore, disabled responder key: the client should retry later, not see a stack.
      return tryLater;
    }
  }

  private status(ca: LoadedCa, serial: string): Promise<Status> {
    return this.statuses.read(ca.row.id, serial, this.deps.clock.now().getTime(), async () => {
      const row = await revocationStatus(this.deps.database.db, ca.row.id, serial);
      return row ? statusOf(row) : { kind: 'unknown' };
    });
  }

  private async match(
    certId: CertID,
  ): Promise<{ ca: LoadedCa; serial: string; hashOid: string; certId: CertID } | undefined> {
    const hashOid = certId.hashAlgorithm.algorithm;
    const hash = HASH_BY_OID[hashOid];
    if (!hash) return undefined;
    const name = Buffer.from(certId.issuerNameHash.buffer).toString('hex');
    const key = Buffer.from(certId.issuerKeyHash.buffer).toString('hex');
    for (const entry of await this.caHashes()) {
      let hashes = entry.byHash.get(hash);
      if (!hashes) {
        hashes = issuerHashes(entry.ca.subject, entry.ca.cert.asn.tbsCertificate.subjectPublicKeyInfo, hash);
        entry.byHash.set(hash, hashes);
      }
      if (hashes.name === name && hashes.key === key) {
        const serial = Buffer.from(certId.serialNumber).toString('hex');
        return { ca: entry.ca, serial, hashOid, certId: this.keptCertId(certId, `${name}:${key}:${serial}`) };
      }
    }
    return undefined;
  }

  /**
   * The request's CertID with its encoding, which the response echoes. Clients ask about the
   * same certificates again and again, and encoding it was a tenth of a signed answer's own work,
   * so the first one is kept, by every field that goes into it (`hashes`: the issuer hashes and
   * the serial), and stands for every later one with the same fields.
   */
  private keptCertId(certId: CertID, hashes: string): Encoded<CertID> {
    const { algorithm, parameters } = certId.hashAlgorithm;
    const params =
      parameters === undefined ? '' : parameters === null ? 'null' : Buffer.from(parameters).toString('hex');
    const id = `${algorithm}:${params}:${hashes}`;
    const known = this.certIds.get(id);
    if (known) return known;
    const kept = keepEncoding(certId);
    boundedSet(this.certIds, id, kept);
    return kept;
  }

  private async caHashes(): Promise<CaHashes[]> {
    const now = this.deps.clock.now().getTime();
    if (!this.caTable || now - this.caTable.loadedAt > CA_TABLE_TTL_MS) {
      const rows = (await this.cas.list()).filter(
        (row) => row.role === 'issuing' && row.source === 'cpm' && row.revoked_at === null,
      );
      const cas = await Promise.all(rows.map(async (row) => ({ ca: await this.cas.load(row.id), byHash: new Map() })));
      this.caTable = { loadedAt: now, cas };
    }
    return this.caTable.cas;
  }

  private async identity(ca: LoadedCa): Promise<ResponderIdentity | undefined> {
    const now = this.deps.clock.now();
    const known = this.responders.get(ca.row.id);
    if (known && known.until > now.getTime()) return known.identity;
    const row = await latestResponderCertificate(this.deps.database.db, ca.row.id, now.toISOString());
    if (!row || row.key_id === null || row.key_version === null) return undefined;
    const certificateDer = readCertificatesPem(row.certificate_pem, 'responder certificate')[0]!.der;
    const identity = responderIdentity(
      certificateDer,
      cpmSigner(this.deps.crypto, systemContext(), {
        id: row.key_id,
        type: row.key_type as CaKeyType,
        version: row.key_version,
      }),
    );
    this.responders.set(ca.row.id, { identity, until: Math.min(Date.parse(row.not_after), now.getTime() + 60_000) });
    return identity;
  }

  private remember(key: string, der: Buffer, until: number): void {
    boundedSet(this.cache, key, { der, until });
  }
}

/** Sets `key` as the newest entry, dropping the oldest one beyond CACHE_LIMIT. */
function boundedSet<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= CACHE_LIMIT) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.delete(key);
  map.set(key, value);
}

const cacheKey = (certId: CertID, hashOid: string): string =>
  `${hashOid}:${Buffer.from(certId.issuerKeyHash.buffer).toString('hex')}:${Buffer.from(certId.serialNumber).toString('hex')}`;

function statusOf(row: Pick<CertificateRow, 'status' | 'revoked_at' | 'revocation_reason'>): Status {
  if (row.status !== 'revoked') return { kind: 'good' };
  return {
    kind: 'revoked',
    revokedAt: new Date(row.revoked_at!),
    reason: REVOCATION_REASONS[row.revocation_reason as RevocationReason] ?? 0,
  };
}
