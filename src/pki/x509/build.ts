import { randomBytes } from 'node:crypto';
import { AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { id_kp_OCSPSigning, id_pkix_ocsp_nocheck } from '@peculiar/asn1-ocsp';
import { Name as X509Name, PemConverter } from './peculiar.js';
import { algorithmIdentifier, keyIdentifier } from './algorithms.js';
import { keepEncoding, parseKeepingEncoding } from './encoded.js';

/**
 * Something that signs DER for a CA: the algorithm it declares and the signature value it returns
 * (an ECDSA-Sig-Value in DER or the RSA signature bytes). The CPM-backed one lives in signer.ts.
 */
export interface CaSigner {
  readonly signatureOid: string;
  sign(data: Buffer): Promise<Buffer>;
}

/** Subject attributes Trustloop writes; values are placed, never parsed from a DN string. */
export interface SubjectFields {
  commonName: string;
  organization?: string | undefined;
  country?: string | undefined;
}

/** Encoded names, kept: a participant's certificates share their subject. Treat them as read-only. */
const nameCache = new Map<string, asn.Name>();
const NAME_CACHE_LIMIT = 1000;

export function encodeName(fields: SubjectFields): asn.Name {
  const key = JSON.stringify([fields.country ?? null, fields.organization ?? null, fields.commonName]);
  const cached = nameCache.get(key);
  if (cached) return cached;
  const json: { [type: string]: string[] }[] = [];
  if (fields.country) json.push({ C: [fields.country] });
  if (fields.organization) json.push({ O: [fields.organization] });
  json.push({ CN: [fields.commonName] });
  const name = parseKeepingEncoding(new Uint8Array(new X509Name(json).toArrayBuffer()), asn.Name);
  if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
  nameCache.set(key, name);
  return name;
}

const decodedNames = new Map<string, asn.Name>();

/** A DER Name decoded, kept (the issuing CAs' names recur). Treat it as read-only. */
export function decodeName(der: Uint8Array): asn.Name {
  const key = Buffer.from(der).toString('base64');
  let name = decodedNames.get(key);
  if (!name) {
    name = parseKeepingEncoding(der, asn.Name);
    if (decodedNames.size >= NAME_CACHE_LIMIT) decodedNames.clear();
    decodedNames.set(key, name);
  }
  return name;
}

/**
 * 128 bits or more of randomness, positive and minimal in DER: 17 random bytes with the top bit
 * cleared (RFC 5280 section 4.1.2.2 allows up to 20 octets).
 */
export function randomSerial(): Buffer {
  const serial = randomBytes(17);
  serial[0]! &= 0x7f;
  if (serial[0] === 0) serial[0] = 1;
  return serial;
}

export type KeyUsageName = 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign';

const KEY_USAGE_FLAG: Record<KeyUsageName, number> = {
  digitalSignature: asn.KeyUsageFlags.digitalSignature,
  nonRepudiation: asn.KeyUsageFlags.nonRepudiation,
  keyEncipherment: asn.KeyUsageFlags.keyEncipherment,
  keyCertSign: asn.KeyUsageFlags.keyCertSign,
  cRLSign: asn.KeyUsageFlags.cRLSign,
};

export const EXTENDED_KEY_USAGE = {
  serverAuth: asn.id_kp_serverAuth,
  clientAuth: asn.id_kp_clientAuth,
  ocspSigning: id_kp_OCSPSigning,
} as const;
export type ExtendedKeyUsageName = keyof typeof EXTENDED_KEY_USAGE;

export interface CertificateParams {
  serial: Buffer;
  issuer: asn.Name;
  /** SPKI DER of the issuing key (for the AKI); the subject's own for a self-signed root. */
  issuerSpki: Buffer;
  /** The issuer certificate's own SKI, when it has one (an external CA's may use another method). */
  issuerKeyId?: Buffer | undefined;
  subject: asn.Name;
  subjectSpki: Buffer;
  notBefore: Date;
  notAfter: Date;
  ca?: { pathLength?: number | undefined; permittedDns?: string[] | undefined } | undefined;
  keyUsage: KeyUsageName[];
  extendedKeyUsage?: ExtendedKeyUsageName[] | undefined;
  dnsNames?: string[] | undefined;
  ipAddresses?: string[] | undefined;
  crlUrl?: string | undefined;
  ocspUrl?: string | undefined;
  caIssuersUrl?: string | undefined;
  ocspNoCheck?: boolean | undefined;
}

/** id-pkix-ocsp-nocheck's value: ASN.1 NULL (RFC 6960 section 4.2.2.2.1), declared as a schema. */
class OcspNoCheck {
  value: null = null;
}
AsnType({ type: AsnTypeTypes.Choice })(OcspNoCheck);
AsnProp({ type: AsnPropTypes.Null })(OcspNoCheck.prototype, 'value');

export const extension = (extnID: string, critical: boolean, value: unknown): asn.Extension =>
  new asn.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

const uri = (value: string) => new asn.GeneralName({ uniformResourceIdentifier: value });

/**
 * The extensions every certificate of one CA and profile shares (constraints, usages, AKI, CRL
 * and AIA URLs), built once: serialising them is most of the cost of building a certificate.
 */
const sharedExtensionCache = new Map<string, asn.Extension[]>();
const SHARED_CACHE_LIMIT = 64;

function sharedExtensions(params: CertificateParams): asn.Extension[] {
  const key = JSON.stringify([
    params.ca ?? null,
    params.keyUsage,
    params.extendedKeyUsage ?? [],
    params.issuerSpki.toString('base64'),
    params.issuerKeyId?.toString('base64') ?? null,
    params.crlUrl ?? null,
    params.ocspUrl ?? null,
    params.caIssuersUrl ?? null,
    params.ocspNoCheck ?? false,
  ]);
  const cached = sharedExtensionCache.get(key);
  if (cached) return cached;
  const extensions: asn.Extension[] = [];
  const basic = new asn.BasicConstraints({ cA: params.ca !== undefined });
  if (params.ca?.pathLength !== undefined) basic.pathLenConstraint = params.ca.pathLength;
  extensions.push(extension(asn.id_ce_basicConstraints, true, basic));
  const usage = params.keyUsage.reduce((flags, name) => flags | KEY_USAGE_FLAG[name], 0);
  extensions.push(extension(asn.id_ce_keyUsage, true, new asn.KeyUsage(usage)));
  if (params.extendedKeyUsage?.length) {
    const eku = new asn.ExtendedKeyUsage(params.extendedKeyUsage.map((name) => EXTENDED_KEY_USAGE[name]));
    extensions.push(extension(asn.id_ce_extKeyUsage, false, eku));
  }
  extensions.push(
    extension(
      asn.id_ce_authorityKeyIdentifier,
      false,
      new asn.AuthorityKeyIdentifier({
        keyIdentifier: new asn.KeyIdentifier(params.issuerKeyId ?? keyIdentifier(params.issuerSpki)),
      }),
    ),
  );
  if (params.ca?.permittedDns?.length) {
    const permitted = new asn.GeneralSubtrees(
      params.ca.permittedDns.map((dNSName) => new asn.GeneralSubtree({ base: new asn.GeneralName({ dNSName }) })),
    );
    // RFC 5280 section 4.2.1.10: conforming CAs mark name constraints critical.
    extensions.push(
      extension(asn.id_ce_nameConstraints, true, new asn.NameConstraints({ permittedSubtrees: permitted })),
    );
  }
  if (params.crlUrl) {
    const point = new asn.DistributionPoint({
      distributionPoint: new asn.DistributionPointName({ fullName: [uri(params.crlUrl)] }),
    });
    extensions.push(extension(asn.id_ce_cRLDistributionPoints, false, new asn.CRLDistributionPoints([point])));
  }
  const access: asn.AccessDescription[] = [];
  if (params.ocspUrl)
    access.push(new asn.AccessDescription({ accessMethod: asn.id_ad_ocsp, accessLocation: uri(params.ocspUrl) }));
  if (params.caIssuersUrl)
    access.push(
      new asn.AccessDescription({ accessMethod: asn.id_ad_caIssuers, accessLocation: uri(params.caIssuersUrl) }),
    );
  if (access.length > 0)
    extensions.push(extension(asn.id_pe_authorityInfoAccess, false, new asn.AuthorityInfoAccessSyntax(access)));
  // RFC 6960 section 4.2.2.2.1: clients need not check the responder certificate's own status.
  if (params.ocspNoCheck) extensions.push(extension(id_pkix_ocsp_nocheck, false, new OcspNoCheck()));
  const kept = extensions.map((built) => keepEncoding(built));
  if (sharedExtensionCache.size >= SHARED_CACHE_LIMIT) sharedExtensionCache.clear();
  sharedExtensionCache.set(key, kept);
  return kept;
}

/** The shared extensions plus this certificate's own: its SKI and subject alternative names. */
function certificateExtensions(params: CertificateParams, subjectKey: asn.SubjectPublicKeyInfo): asn.Extension[] {
  const own = [
    extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(keyIdentifier(subjectKey))),
  ];
  const names = [
    ...(params.dnsNames ?? []).map((dNSName) => new asn.GeneralName({ dNSName })),
    ...(params.ipAddresses ?? []).map((iPAddress) => new asn.GeneralName({ iPAddress })),
  ];
  if (names.length > 0) own.push(extension(asn.id_ce_subjectAltName, false, new asn.SubjectAlternativeName(names)));
  return [...sharedExtensions(params), ...own];
}

/**
 * The TBSCertificate of `params` for a CA signing with `signatureOid`, and its DER (what is signed).
 * The TBSCertificate keeps that encoding: `assembleCertificate` carries exactly the signed bytes.
 */
export function buildTbs(params: CertificateParams, signatureOid: string): { tbs: asn.TBSCertificate; der: Buffer } {
  const subjectKey = AsnConvert.parse(params.subjectSpki, asn.SubjectPublicKeyInfo);
  const tbs = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: toArrayBuffer(params.serial),
    signature: algorithmIdentifier(signatureOid),
    issuer: params.issuer,
    validity: new asn.Validity({ notBefore: params.notBefore, notAfter: params.notAfter }),
    subject: params.subject,
    subjectPublicKeyInfo: subjectKey,
    extensions: new asn.Extensions(certificateExtensions(params, subjectKey)),
  });
  const kept = keepEncoding(tbs);
  return { tbs: kept, der: Buffer.from(kept.der) };
}

/** The certificate DER: the TBSCertificate with the CA's signature over it. */
export function assembleCertificate(tbs: asn.TBSCertificate, signatureOid: string, signature: Uint8Array): Buffer {
  const certificate = new asn.Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithmIdentifier(signatureOid),
    signatureValue: toArrayBuffer(signature),
  });
  return Buffer.from(AsnConvert.serialize(certificate));
}

/** Builds the TBSCertificate, has the CA sign its DER, and returns the certificate DER. */
export async function issueCertificate(params: CertificateParams, signer: CaSigner): Promise<Buffer> {
  const { tbs, der } = buildTbs(params, signer.signatureOid);
  return assembleCertificate(tbs, signer.signatureOid, await signer.sign(der));
}

export interface CrlEntry {
  serial: Buffer;
  revokedAt: Date;
  /** RFC 5280 CRLReason code. */
  reason: number;
}

export interface CrlParams {
  issuer: asn.Name;
  issuerSpki: Buffer;
  issuerKeyId?: Buffer | undefined;
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: CrlEntry[];
}

/** Builds a v2 CRL with CRL number, AKI and a reason code on every entry; signed by the CA. */
export async function issueCrl(params: CrlParams, signer: CaSigner): Promise<Buffer> {
  const tbs = new asn.TBSCertList({
    version: asn.Version.v2,
    signature: algorithmIdentifier(signer.signatureOid),
    issuer: params.issuer,
    thisUpdate: new asn.Time(params.thisUpdate),
    nextUpdate: new asn.Time(params.nextUpdate),
    crlExtensions: [
      extension(
        asn.id_ce_authorityKeyIdentifier,
        false,
        new asn.AuthorityKeyIdentifier({
          keyIdentifier: new asn.KeyIdentifier(params.issuerKeyId ?? keyIdentifier(params.issuerSpki)),
        }),
      ),
      extension(asn.id_ce_cRLNumber, false, new asn.CRLNumber(params.number)),
    ],
  });
  if (params.entries.length > 0) {
    tbs.revokedCertificates = params.entries.map(
      (entry) =>
        new asn.RevokedCertificate({
          userCertificate: toArrayBuffer(entry.serial),
          revocationDate: new asn.Time(entry.revokedAt),
          crlEntryExtensions: [extension(asn.id_ce_cRLReasons, false, new asn.CRLReason(entry.reason))],
        }),
    );
  }
  const value = await signer.sign(Buffer.from(AsnConvert.serialize(tbs)));
  const crl = new asn.CertificateList({
    tbsCertList: tbs,
    signatureAlgorithm: algorithmIdentifier(signer.signatureOid),
    signature: toArrayBuffer(value),
  });
  return Buffer.from(AsnConvert.serialize(crl));
}

export const toArrayBuffer = (bytes: Buffer | Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

export const toPem = (der: Buffer, label: 'CERTIFICATE' | 'X509 CRL'): string =>
  `${PemConverter.encode(toArrayBuffer(der), label)}\n`;
