import { verify } from 'node:crypto';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { TrustloopError } from '../../core/errors.js';
import { ACCEPTED_SIGNATURE_ALGORITHMS, WEAK_SIGNATURE_ALGORITHMS, keyInfo, type KeyInfo } from './algorithms.js';
import { EXTENDED_KEY_USAGE } from './build.js';
import { PemConverter } from './peculiar.js';

const ID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const ATTRIBUTE = { CN: '2.5.4.3', O: '2.5.4.10', C: '2.5.4.6' } as const;

/** What Trustloop reads from a PKCS#10 request; everything else in it is ignored, never copied. */
export interface ParsedCsr {
  der: Buffer;
  commonName: string | null;
  organization: string | null;
  country: string | null;
  dnsNames: string[];
  /** SAN entries of other kinds (IP, URI, e-mail), which no profile accepts. */
  otherNames: string[];
  requestedKeyUsage: string[] | null;
  requestedExtendedKeyUsage: string[] | null;
  requestsCa: boolean;
  key: KeyInfo;
  signatureOid: string;
  signatureValid: boolean;
}

/** Decodes exactly one PEM block of the given label; anything else is ERR_PEM_MALFORMED. */
export function decodePem(pem: string, labels: string[], what: string): Buffer[] {
  let blocks;
  try {
    blocks = PemConverter.decodeWithHeaders(pem);
  } catch {
    throw new TrustloopError('ERR_PEM_MALFORMED', `${what} is not valid PEM`);
  }
  if (blocks.length === 0) throw new TrustloopError('ERR_PEM_MALFORMED', `${what} holds no PEM block`);
  const wrong = blocks.find((block) => !labels.includes(block.type));
  if (wrong)
    throw new TrustloopError(
      'ERR_PEM_MALFORMED',
      `${what} must hold ${labels[0]} blocks, not ${wrong.type.slice(0, 40)}`,
    );
  return blocks.map((block) => Buffer.from(block.rawData));
}

function attribute(name: asn.Name, oid: string): string | null {
  for (const rdn of name) for (const entry of rdn) if (entry.type === oid) return entry.value.toString();
  return null;
}

/** Parses a CSR PEM: structure, subject, requested extensions, public key and its signature. */
export function parseCsr(pem: string): ParsedCsr {
  const blocks = decodePem(pem, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'the CSR');
  if (blocks.length !== 1) throw new TrustloopError('ERR_PEM_MALFORMED', 'the CSR must be exactly one PEM block');
  const der = blocks[0]!;
  let request: CertificationRequest;
  let key: KeyInfo;
  try {
    request = AsnConvert.parse(der, CertificationRequest);
    key = keyInfo(Buffer.from(AsnConvert.serialize(request.certificationRequestInfo.subjectPKInfo)));
  } catch {
    throw new TrustloopError(
      'ERR_PEM_MALFORMED',
      'the CSR is not a PKCS#10 certification request with a readable public key',
    );
  }
  const info = request.certificationRequestInfo;
  const signatureOid = request.signatureAlgorithm.algorithm;
  const parsed: ParsedCsr = {
    der,
    commonName: attribute(info.subject, ATTRIBUTE.CN),
    organization: attribute(info.subject, ATTRIBUTE.O),
    country: attribute(info.subject, ATTRIBUTE.C),
    dnsNames: [],
    otherNames: [],
    requestedKeyUsage: null,
    requestedExtendedKeyUsage: null,
    requestsCa: false,
    key,
    signatureOid,
    signatureValid: checkSignature(request, key, signatureOid),
  };
  try {
    readRequestedExtensions(info.attributes, parsed);
  } catch {
    throw new TrustloopError('ERR_PEM_MALFORMED', 'the CSR carries an extension request that cannot be read');
  }
  return parsed;
}

function checkSignature(request: CertificationRequest, key: KeyInfo, oid: string): boolean {
  const algorithm = ACCEPTED_SIGNATURE_ALGORITHMS[oid] ?? (WEAK_SIGNATURE_ALGORITHMS[oid] ? { hash: 'sha1' } : null);
  if (!algorithm || key.family === 'other' || !request.certificationRequestInfoRaw) return false;
  try {
    return verify(
      algorithm.hash,
      Buffer.from(request.certificationRequestInfoRaw),
      key.publicKey,
      Buffer.from(request.signature),
    );
  } catch {
    return false;
  }
}

const EKU_NAMES = new Map<string, string>(Object.entries(EXTENDED_KEY_USAGE).map(([name, oid]) => [oid, name]));

function readRequestedExtensions(
  attributes: CertificationRequest['certificationRequestInfo']['attributes'],
  out: ParsedCsr,
): void {
  for (const attr of attributes) {
    if (attr.type !== ID_EXTENSION_REQUEST) continue;
    for (const value of attr.values) {
      for (const ext of AsnConvert.parse(value, asn.Extensions)) {
        const bytes = ext.extnValue.buffer;
        if (ext.extnID === asn.id_ce_subjectAltName) {
          for (const name of AsnConvert.parse(bytes, asn.SubjectAlternativeName)) {
            if (name.dNSName !== undefined) out.dnsNames.push(name.dNSName);
            else out.otherNames.push(name.iPAddress ?? name.uniformResourceIdentifier ?? name.rfc822Name ?? 'other');
          }
        } else if (ext.extnID === asn.id_ce_keyUsage) {
          out.requestedKeyUsage = AsnConvert.parse(bytes, asn.KeyUsage).toJSON();
        } else if (ext.extnID === asn.id_ce_extKeyUsage) {
          out.requestedExtendedKeyUsage = [...AsnConvert.parse(bytes, asn.ExtendedKeyUsage)].map(
            (oid) => EKU_NAMES.get(oid) ?? oid,
          );
        } else if (ext.extnID === asn.id_ce_basicConstraints) {
          out.requestsCa = AsnConvert.parse(bytes, asn.BasicConstraints).cA;
        }
      }
    }
  }
}
