import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { TrustloopError } from '../../core/errors.js';
import { sha256Hex } from './algorithms.js';
import { toArrayBuffer } from './build.js';
import { decodePem } from './csr.js';
import { X509Certificate } from './peculiar.js';

/** A certificate read once: its ASN.1, the @peculiar/x509 view and the facts Trustloop stores. */
export interface ReadCertificate {
  der: Buffer;
  asn: asn.Certificate;
  x509: X509Certificate;
  serial: string;
  fingerprint: string;
  spki: Buffer;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  pathLength: number | undefined;
  /** The subjectKeyIdentifier extension's value, if present. */
  keyId: Buffer | undefined;
  canSignCertificates: boolean;
}

export function readCertificate(der: Buffer): ReadCertificate {
  let parsed: asn.Certificate;
  let x509: X509Certificate;
  try {
    parsed = AsnConvert.parse(der, asn.Certificate);
    x509 = new X509Certificate(toArrayBuffer(der));
  } catch {
    throw new TrustloopError('ERR_PEM_MALFORMED', 'not an X.509 certificate');
  }
  const tbs = parsed.tbsCertificate;
  let isCa = false;
  let pathLength: number | undefined;
  let canSignCertificates = true;
  let keyId: Buffer | undefined;
  for (const ext of tbs.extensions ?? []) {
    if (ext.extnID === asn.id_ce_basicConstraints) {
      const basic = AsnConvert.parse(ext.extnValue.buffer, asn.BasicConstraints);
      isCa = basic.cA;
      pathLength = basic.pathLenConstraint;
    } else if (ext.extnID === asn.id_ce_subjectKeyIdentifier) {
      keyId = Buffer.from(AsnConvert.parse(ext.extnValue.buffer, asn.SubjectKeyIdentifier).buffer);
    } else if (ext.extnID === asn.id_ce_keyUsage) {
      canSignCertificates = AsnConvert.parse(ext.extnValue.buffer, asn.KeyUsage).toJSON().includes('keyCertSign');
    }
  }
  return {
    der,
    asn: parsed,
    x509,
    serial: Buffer.from(tbs.serialNumber).toString('hex'),
    fingerprint: sha256Hex(der),
    spki: Buffer.from(AsnConvert.serialize(tbs.subjectPublicKeyInfo)),
    subject: x509.subject,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    isCa,
    pathLength,
    keyId,
    canSignCertificates: isCa && canSignCertificates,
  };
}

export function readCertificatesPem(pem: string, what: string): ReadCertificate[] {
  return decodePem(pem, ['CERTIFICATE'], what).map(readCertificate);
}

/** True when `child` carries a signature that `issuer`'s public key verifies. */
export async function signedBy(child: ReadCertificate, issuer: ReadCertificate): Promise<boolean> {
  try {
    return await child.x509.verify({ publicKey: issuer.x509.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}
