import { createPublicKey } from 'node:crypto';
import type { RequestContext } from '../core/context.js';
import { isUniqueViolation } from '../core/db/violations.js';
import { TrustloopError, conflict, invalid, notFound } from '../core/errors.js';
import { isoNow } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { DAY_MS, caCertUrl, crlUrl, type PkiDeps } from './context.js';
import { findCa, insertCa, listCas, type CaRow } from './store.js';
import { PKI_SIGNER_ROLE, cpmSigner } from './x509/signer.js';
import { encodeName, issueCertificate, randomSerial, toPem, type CaSigner } from './x509/build.js';
import { readCertificate, readCertificatesPem, signedBy, type ReadCertificate } from './x509/certificate.js';
import { keyInfo, type CaKeyType } from './x509/algorithms.js';
import type * as asn from '@peculiar/asn1-x509';
import type { PkiCaRequestsTable } from '../core/db/schema.js';
import { caCertificationRequest } from './x509/request.js';

export interface CreateCaInput {
  name: string;
  role: 'root' | 'issuing';
  parentId?: string | undefined;
  keyType: CaKeyType;
  commonName: string;
  organization?: string | undefined;
  country?: string | undefined;
  validityDays?: number | undefined;
  pathLength?: number | undefined;
  permittedDns?: string[] | undefined;
}

export interface SignedCaInput {
  name: string;
  parentId: string;
  keyType: CaKeyType;
  commonName: string;
  organization?: string | undefined;
  country?: string | undefined;
}

export type CaRequestRow = PkiCaRequestsTable;

/** A CA ready to sign: its row, parsed certificate and (for CPM CAs) a signer. */
export interface LoadedCa {
  row: CaRow;
  cert: ReadCertificate;
  subject: asn.Name;
}

const DEFAULT_VALIDITY_DAYS = { root: 3650, issuing: 1825 } as const;

/** The columns a new CA row takes from its certificate: active, unrevoked, no CRL issued yet. */
function certificateColumns(cert: ReadCertificate, at: string, permittedDns: readonly string[] = []) {
  return {
    subject: cert.subject,
    certificate_pem: toPem(cert.der, 'CERTIFICATE'),
    serial: cert.serial,
    fingerprint_sha256: cert.fingerprint,
    not_before: cert.notBefore.toISOString(),
    not_after: cert.notAfter.toISOString(),
    path_length: cert.pathLength ?? null,
    permitted_dns: JSON.stringify(permittedDns),
    status: 'active' as const,
    crl_number: 0,
    revoked_at: null,
    revocation_reason: null,
    created_at: at,
    updated_at: at,
  };
}

/**
 * The CA hierarchy. A root CA signs only issuing CAs and its own CRL; issuing CAs sign participant
 * certificates, their CRL and their OCSP responder's certificate. Keys of Trustloop's CAs live in
 * the CPM with a policy that lets only the PKI service sign; imported CAs keep their key outside
 * and serve as trust anchors.
 */
export class CaService {
  private readonly loaded = new Map<string, LoadedCa>();
  /** Active issuing CAs named by issuances, as read then (see `issuing`). */
  private readonly issuers = new Map<string, LoadedCa>();

  constructor(private readonly deps: PkiDeps) {}

  async create(ctx: RequestContext, input: CreateCaInput): Promise<CaRow> {
    const parent = input.role === 'issuing' ? await this.parentFor(input.parentId) : undefined;
    if (input.role === 'root' && input.parentId !== undefined) throw invalid('parentId', 'a root CA has no parent');
    const id = newId('pca');
    const key = await this.deps.keys.create(ctx, {
      name: `pki-${id}`,
      type: input.keyType,
      purpose: 'sign',
      policy: { roles: [PKI_SIGNER_ROLE], operations: ['sign', 'verify'] },
    });
    const spki = spkiOf((await this.deps.keys.publicKey(ctx, key.id, 1, 'pem')).pem!);
    const now = this.deps.clock.now();
    const subject = encodeName({
      commonName: input.commonName,
      organization: input.organization,
      country: input.country,
    });
    let notAfter = new Date(now.getTime() + (input.validityDays ?? DEFAULT_VALIDITY_DAYS[input.role]) * DAY_MS);
    if (parent && notAfter > parent.cert.notAfter) notAfter = parent.cert.notAfter;
    const ownSigner = cpmSigner(this.deps.crypto, ctx, { id: key.id, type: input.keyType, version: 1 });
    const der = await issueCertificate(
      {
        serial: randomSerial(),
        issuer: parent ? parent.subject : subject,
        issuerSpki: parent ? parent.cert.spki : spki,
        issuerKeyId: parent?.cert.keyId,
        subject,
        subjectSpki: spki,
        notBefore: now,
        notAfter,
        ca: {
          pathLength: input.pathLength ?? (input.role === 'root' ? 1 : 0),
          permittedDns: input.permittedDns,
        },
        keyUsage: ['keyCertSign', 'cRLSign'],
        crlUrl: parent ? crlUrl(this.deps.config, parent.row.id) : undefined,
        caIssuersUrl: parent ? caCertUrl(this.deps.config, parent.row.id) : undefined,
      },
      parent ? this.signer(ctx, parent) : ownSigner,
    );
    const cert = readCertificate(der);
    const row: CaRow = {
      id,
      name: input.name,
      role: input.role,
      parent_id: parent?.row.id ?? null,
      source: 'cpm',
      key_id: key.id,
      key_version: 1,
      key_type: input.keyType,
      ...certificateColumns(cert, isoNow(this.deps.clock), input.permittedDns ?? []),
    };
    await this.insert(ctx, row, 'pki.ca.create', {
      role: row.role,
      parentId: row.parent_id,
      keyId: key.id,
      keyType: input.keyType,
    });
    return row;
  }

  /**
   * Imports a CA certificate whose key stays outside Trustloop (the scheme's existing root or
   * intermediate), recorded as a trust anchor; it cannot sign here. An intermediate must be
   * signed by a CA already known here.
   */
  async import(ctx: RequestContext, input: { name: string; certificatePem: string }): Promise<CaRow> {
    const certs = readCertificatesPem(input.certificatePem, 'certificatePem');
    if (certs.length !== 1) throw invalid('certificatePem', 'import one CA certificate at a time');
    const cert = certs[0]!;
    if (!cert.canSignCertificates)
      throw new TrustloopError(
        'ERR_CHAIN_INVALID',
        'the certificate is not a CA (basicConstraints cA and keyCertSign)',
      );
    const now = this.deps.clock.now();
    if (cert.notAfter <= now) throw new TrustloopError('ERR_CHAIN_INVALID', 'the CA certificate has expired');
    let parentId: string | null = null;
    if (!(await signedBy(cert, cert))) {
      const parent = await this.findIssuerOf(cert);
      if (!parent)
        throw new TrustloopError('ERR_CHAIN_INVALID', 'the certificate is not self-signed and no known CA signed it');
      parentId = parent.row.id;
    }
    const row: CaRow = {
      id: newId('pca'),
      name: input.name,
      role: parentId === null ? 'root' : 'issuing',
      parent_id: parentId,
      source: 'external',
      key_id: null,
      key_version: null,
      key_type: keyInfo(cert.spki).type,
      ...certificateColumns(cert, isoNow(this.deps.clock)),
    };
    await this.insert(ctx, row, 'pki.ca.import', { role: row.role, parentId });
    return row;
  }

  /**
   * The first half of an issuing CA under an external parent (the scheme's own root, imported here
   * as a trust anchor): the CA's key is generated in the CPM and a CSR for it, signed by that key,
   * is returned for the external root to sign. `completeSigned` takes the certificate back.
   */
  async requestSigned(ctx: RequestContext, input: SignedCaInput): Promise<CaRequestRow> {
    const parent = await this.load(input.parentId);
    if (parent.row.source !== 'external')
      throw invalid('parentId', `CA '${input.parentId}' is held here; create the issuing CA directly`);
    if (parent.row.status !== 'active' || (parent.row.path_length !== null && parent.row.path_length < 1))
      throw new TrustloopError('ERR_CA_UNUSABLE', `CA '${input.parentId}' cannot have a subordinate CA`);
    const id = newId('csr');
    const key = await this.deps.keys.create(ctx, {
      name: `pki-${id}`,
      type: input.keyType,
      purpose: 'sign',
      policy: { roles: [PKI_SIGNER_ROLE], operations: ['sign', 'verify'] },
    });
    const spki = spkiOf((await this.deps.keys.publicKey(ctx, key.id, 1, 'pem')).pem!);
    const subject = encodeName({
      commonName: input.commonName,
      organization: input.organization,
      country: input.country,
    });
    const csrPem = await caCertificationRequest(
      subject,
      spki,
      cpmSigner(this.deps.crypto, ctx, { id: key.id, type: input.keyType, version: 1 }),
    );
    const now = isoNow(this.deps.clock);
    const row: CaRequestRow = {
      id,
      name: input.name,
      parent_id: parent.row.id,
      key_id: key.id,
      key_type: input.keyType,
      subject: [
        input.country && `C=${input.country}`,
        input.organization && `O=${input.organization}`,
        `CN=${input.commonName}`,
      ]
        .filter(Boolean)
        .join(', '),
      csr_pem: csrPem,
      status: 'pending',
      ca_id: null,
      requested_by: ctx.actor.id,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.deps.database.transaction(async (tx) => {
        await tx.insertInto('pki_ca_requests').values(row).execute();
        await this.deps.audit.append(tx, ctx, {
          action: 'pki.ca.request',
          resource: { type: 'pki-ca-request', id },
          details: {
            name: row.name,
            parentId: row.parent_id,
            keyId: key.id,
            keyType: input.keyType,
            subject: row.subject,
          },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a CA request named '${row.name}' already exists`);
      throw error;
    }
    return row;
  }

  /** CA requests, newest first (at most 500: a scheme has a handful). */
  async caRequests(status: CaRequestRow['status'] | undefined): Promise<CaRequestRow[]> {
    let query = this.deps.database.db.selectFrom('pki_ca_requests').selectAll();
    if (status) query = query.where('status', '=', status);
    return query.orderBy('created_at', 'desc').orderBy('id').limit(500).execute();
  }

  async caRequest(id: string): Promise<CaRequestRow> {
    const row = await this.deps.database.db
      .selectFrom('pki_ca_requests')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('CA request', id);
    return row;
  }

  /**
   * The second half: the certificate the external parent signed. It must be a CA certificate for
   * exactly the key in the CPM, signed by the parent; the issuing CA is then active here.
   */
  async completeSigned(ctx: RequestContext, id: string, certificatePem: string): Promise<CaRow> {
    const request = await this.caRequest(id);
    if (request.status !== 'pending') throw conflict(`CA request '${id}' is already completed`);
    const certs = readCertificatesPem(certificatePem, 'certificatePem');
    if (certs.length !== 1) throw invalid('certificatePem', 'send the one certificate the parent CA signed');
    const cert = certs[0]!;
    const parent = await this.load(request.parent_id);
    const spki = spkiOf((await this.deps.keys.publicKey(ctx, request.key_id, 1, 'pem')).pem!);
    const refuse = (message: string) => new TrustloopError('ERR_CHAIN_INVALID', message);
    if (!cert.spki.equals(spki)) throw refuse('the certificate is not for the key of this request');
    if (!cert.canSignCertificates) throw refuse('the certificate is not a CA (basicConstraints cA and keyCertSign)');
    if (cert.x509.issuer !== parent.cert.subject || !(await signedBy(cert, parent.cert)))
      throw refuse(`the certificate is not signed by CA '${parent.row.id}' (${parent.cert.subject})`);
    const now = this.deps.clock.now();
    if (cert.notAfter <= now || cert.notBefore.getTime() > now.getTime() + 300_000)
      throw refuse('the certificate is not valid now');
    const at = isoNow(this.deps.clock);
    const row: CaRow = {
      id: newId('pca'),
      name: request.name,
      role: 'issuing',
      parent_id: parent.row.id,
      source: 'cpm',
      key_id: request.key_id,
      key_version: 1,
      key_type: request.key_type,
      ...certificateColumns(cert, at),
    };
    try {
      await this.deps.database.transaction(async (tx) => {
        await insertCa(tx, row);
        const done = await tx
          .updateTable('pki_ca_requests')
          .set({ status: 'completed', ca_id: row.id, updated_at: at })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (done.numUpdatedRows === 0n) throw conflict(`CA request '${id}' was completed meanwhile`);
        await this.deps.audit.append(tx, ctx, {
          action: 'pki.ca.create',
          resource: { type: 'pki-ca', id: row.id },
          details: {
            role: row.role,
            parentId: row.parent_id,
            keyId: row.key_id,
            keyType: row.key_type,
            requestId: id,
            name: row.name,
            subject: row.subject,
            serial: row.serial,
            fingerprintSha256: row.fingerprint_sha256,
            notAfter: row.not_after,
          },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a CA named '${row.name}' or with this certificate already exists`);
      throw error;
    }
    return row;
  }

  list(): Promise<CaRow[]> {
    return listCas(this.deps.database.db);
  }

  async get(id: string): Promise<CaRow> {
    const row = await findCa(this.deps.database.db, id);
    if (!row) throw notFound('CA', id);
    return row;
  }

  /** The CA, parsed once and kept (a CA certificate never changes; the CRL number is re-read). */
  async load(id: string): Promise<LoadedCa> {
    const row = await this.get(id);
    const cached = this.loaded.get(id);
    if (cached) return { ...cached, row };
    const cert = readCertificate(readCertificatesPem(row.certificate_pem, 'CA certificate')[0]!.der);
    const loaded = { row, cert, subject: cert.asn.tbsCertificate.subject };
    this.loaded.set(id, loaded);
    return loaded;
  }

  /** A signer for a CA whose key is in the CPM; an imported CA cannot sign here. */
  signer(ctx: RequestContext, ca: LoadedCa): CaSigner {
    if (ca.row.source !== 'cpm' || ca.row.key_id === null || ca.row.key_version === null)
      throw new TrustloopError('ERR_CA_UNUSABLE', `CA '${ca.row.id}' is imported; its key is outside Trustloop`);
    if (ca.row.status !== 'active')
      throw new TrustloopError('ERR_CA_UNUSABLE', `CA '${ca.row.id}' is ${ca.row.status}`);
    return cpmSigner(this.deps.crypto, ctx, {
      id: ca.row.key_id,
      type: ca.row.key_type as CaKeyType,
      version: ca.row.key_version,
    });
  }

  /**
   * The issuing CA to use: the one named, or the newest active issuing CA whose key is in the CPM.
   * A named CA that is active is kept, so an issuance does not read its row again: nothing an
   * issuance uses changes on a CA's row except its status, which the issuance's own transaction
   * checks (`activeCaIds`), and a revocation here drops it at once (`forgetIssuing`).
   */
  async issuing(id: string | undefined): Promise<LoadedCa> {
    if (id !== undefined) {
      const kept = this.issuers.get(id);
      if (kept) return kept;
      const ca = await this.load(id);
      if (ca.row.role !== 'issuing') throw invalid('caId', `CA '${id}' is a root; roots sign only CAs`);
      if (ca.row.status === 'active' && ca.row.source === 'cpm') this.issuers.set(id, ca);
      return ca;
    }
    const candidates = (await this.list()).filter(
      (ca) => ca.role === 'issuing' && ca.source === 'cpm' && ca.status === 'active',
    );
    const newest = candidates.at(-1);
    if (!newest) throw new TrustloopError('ERR_CA_UNUSABLE', 'no active issuing CA; create one first');
    return this.load(newest.id);
  }

  /** Drops a kept issuing CA (it was revoked, or an issuance found it no longer active). */
  forgetIssuing(id: string): void {
    this.issuers.delete(id);
  }

  /** PEM chain from the CA up to its root, CA first. */
  async chainPem(id: string): Promise<string[]> {
    const chain: string[] = [];
    let current: CaRow | undefined = await this.get(id);
    while (current) {
      chain.push(current.certificate_pem);
      current = current.parent_id ? await this.get(current.parent_id) : undefined;
    }
    return chain;
  }

  private async parentFor(parentId: string | undefined): Promise<LoadedCa> {
    if (parentId === undefined) throw invalid('parentId', 'an issuing CA needs a parent CA');
    const parent = await this.load(parentId);
    if (parent.row.source !== 'cpm')
      throw new TrustloopError('ERR_CA_UNUSABLE', `CA '${parentId}' is imported; its key cannot sign here`);
    if (parent.row.path_length !== null && parent.row.path_length < 1)
      throw new TrustloopError('ERR_CA_UNUSABLE', `CA '${parentId}' may not sign further CAs (path length 0)`);
    return parent;
  }

  private async findIssuerOf(cert: ReadCertificate): Promise<LoadedCa | undefined> {
    for (const row of await this.list()) {
      const candidate = await this.load(row.id);
      if (candidate.cert.subject === cert.x509.issuer && (await signedBy(cert, candidate.cert))) return candidate;
    }
    return undefined;
  }

  private async insert(
    ctx: RequestContext,
    row: CaRow,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.deps.database.transaction(async (tx) => {
        await insertCa(tx, row);
        await this.deps.audit.append(tx, ctx, {
          action,
          resource: { type: 'pki-ca', id: row.id },
          details: {
            ...details,
            name: row.name,
            subject: row.subject,
            serial: row.serial,
            fingerprintSha256: row.fingerprint_sha256,
            notAfter: row.not_after,
          },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a CA named '${row.name}' or with this certificate already exists`);
      throw error;
    }
  }
}

export const spkiOf = (pem: string): Buffer => createPublicKey(pem).export({ type: 'spki', format: 'der' }) as Buffer;
