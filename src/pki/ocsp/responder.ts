import { OCSPResponseStatus, type CertID } from '@peculiar/asn1-ocsp';
import { systemContext } from '../../core/context.js';
import type { CaService, LoadedCa } from '../ca.js';
import type { PkiDeps } from '../context.js';
import { REVOCATION_REASONS, type RevocationReason } from '../revocation.js';
import { findBySerial, latestResponderCertificate, type CertificateRow } from '../store.js';
import { readCertificatesPem } from '../x509/certificate.js';
import { cpmSigner } from '../x509/signer.js';
import type { CaKeyType } from '../x509/algorithms.js';
import {
  HASH_BY_OID,
  errorResponse,
  issuerHashes,
  parseOcspRequest,
  responderKeyHash,
  signedResponse,
  type ResponderIdentity,
  type Status,
} from './respond.js';

/** Responses are valid for an hour and served from the cache for five minutes. */
const VALID_FOR_MS = 3_600_000;
const CACHE_FOR_MS = 300_000;
const CACHE_LIMIT = 50_000;
const CA_TABLE_TTL_MS = 5_000;

interface CaHashes {
  ca: LoadedCa;
  byHash: Map<string, { name: string; key: string }>;
}

/**
 * An RFC 6960 responder for every issuing CA, signing with each CA's delegated OCSP-signing
 * certificate (its key in the CPM). Responses without a nonce are pre-signed per serial and
 * served from memory until shortly before they go stale; a revocation drops and re-signs them at
 * once. A request with a nonce gets a freshly signed response carrying the same nonce.
 */
export class OcspResponder {
  private readonly cache = new Map<string, { der: Buffer; until: number }>();
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private readonly responders = new Map<string, { identity: ResponderIdentity; until: number }>();
  private caTable: { loadedAt: number; cas: CaHashes[] } | undefined;

  constructor(
    private readonly deps: PkiDeps,
    private readonly cas: CaService,
  ) {}

  /** Answers one DER OCSPRequest with a DER OCSPResponse; never throws for bad input. */
  async respond(der: Buffer): Promise<Buffer> {
    const request = parseOcspRequest(der);
    if (!request) return errorResponse(OCSPResponseStatus.malformedRequest);
    const matches = [];
    for (const certId of request.certIds) {
      const match = await this.match(certId);
      if (!match) return errorResponse(OCSPResponseStatus.unauthorized);
      matches.push({ certId, ...match });
    }
    const ca = matches[0]!.ca;
    if (matches.some((m) => m.ca.row.id !== ca.row.id)) return errorResponse(OCSPResponseStatus.unauthorized);
    const single = matches.length === 1 && !request.nonce ? matches[0]! : undefined;
    if (!single) return (await this.sign(ca, matches, request.nonce)).der;
    const key = cacheKey(single.certId, single.hashOid);
    const hit = this.cache.get(key);
    if (hit && hit.until > this.deps.clock.now().getTime()) return hit.der;
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.sign(ca, [single], undefined)
      .then(({ der: response, signed }) => {
        if (signed) this.remember(key, response);
        return response;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  /** Drops a certificate's cached responses (after a revocation) so the next answer is fresh. */
  forget(certificate: CertificateRow): void {
    for (const key of this.cache.keys()) if (key.endsWith(`:${certificate.serial}`)) this.cache.delete(key);
  }

  /** Drops what is known about CAs and responders (a CA or responder certificate was added). */
  reloadCas(): void {
    this.caTable = undefined;
    this.responders.clear();
  }

  private async sign(
    ca: LoadedCa,
    matches: { certId: CertID; serial: string }[],
    nonce: Parameters<typeof signedResponse>[4],
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

  private async status(ca: LoadedCa, serial: string): Promise<Status> {
    const row = await findBySerial(this.deps.database.db, ca.row.id, serial);
    if (!row) return { kind: 'unknown' };
    if (row.status === 'revoked')
      return {
        kind: 'revoked',
        revokedAt: new Date(row.revoked_at!),
        reason: REVOCATION_REASONS[row.revocation_reason as RevocationReason] ?? 0,
      };
    return { kind: 'good' };
  }

  private async match(certId: CertID): Promise<{ ca: LoadedCa; serial: string; hashOid: string } | undefined> {
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
      if (hashes.name === name && hashes.key === key)
        return { ca: entry.ca, serial: Buffer.from(certId.serialNumber).toString('hex'), hashOid };
    }
    return undefined;
  }

  private async caHashes(): Promise<CaHashes[]> {
    const now = this.deps.clock.now().getTime();
    if (!this.caTable || now - this.caTable.loadedAt > CA_TABLE_TTL_MS) {
      const rows = (await this.cas.list()).filter((row) => row.role === 'issuing' && row.source === 'cpm');
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
    const certificate = readCertificatesPem(row.certificate_pem, 'responder certificate')[0]!.asn;
    const identity: ResponderIdentity = {
      certificate,
      keyHash: responderKeyHash(certificate),
      signer: cpmSigner(this.deps.crypto, systemContext(), {
        id: row.key_id,
        type: row.key_type as CaKeyType,
        version: row.key_version,
      }),
    };
    this.responders.set(ca.row.id, { identity, until: Math.min(Date.parse(row.not_after), now.getTime() + 60_000) });
    return identity;
  }

  private remember(key: string, der: Buffer): void {
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { der, until: this.deps.clock.now().getTime() + CACHE_FOR_MS });
  }
}

const cacheKey = (certId: CertID, hashOid: string): string =>
  `${hashOid}:${Buffer.from(certId.issuerKeyHash.buffer).toString('hex')}:${Buffer.from(certId.serialNumber).toString('hex')}`;
