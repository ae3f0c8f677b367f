import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { TrustloopError } from '../../core/errors.js';
import { toArrayBuffer } from './build.js';
import type { ReadCertificate } from './certificate.js';
import { decodePem } from './csr.js';
import { X509Crl } from './peculiar.js';

/** The largest CRL number the `crl_number` columns (32-bit integers on PostgreSQL) can hold. */
const MAX_CRL_NUMBER = 2_147_483_647;

export interface ReadCrlEntry {
  /** The revoked certificate's serial as hex of its INTEGER content, as `serial` columns store it. */
  serial: string;
  revokedAt: Date;
  /** RFC 5280 CRLReason code; 0 (unspecified) when the entry carries none. */
  reason: number;
}

/** A complete CRL read once, with the facts an import checks and stores. */
export interface ReadCrl {
  der: Buffer;
  x509: X509Crl;
  issuer: string;
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: ReadCrlEntry[];
}

const refuse = (message: string) => new TrustloopError('ERR_CRL_INVALID', message);

/** A CRL given as PEM (`X509 CRL` block) or as base64 of its DER. */
export function decodeCrlText(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----')) {
    const blocks = decodePem(trimmed, ['X509 CRL'], 'the CRL');
    if (blocks.length !== 1) throw refuse('send one CRL at a time');
    return blocks[0]!;
  }
  const compact = trimmed.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0)
    throw refuse('the CRL must be PEM (BEGIN X509 CRL) or base64 of its DER');
  return Buffer.from(compact, 'base64');
}

/**
 * Parses a CRL and keeps only what a relying party can use as the complete CRL of a CA: version 2
 * with a CRL number and a nextUpdate (RFC 5280 section 5.1.2.5 and 5.2.3), not a delta CRL, and
 * no issuingDistributionPoint that narrows its scope (OpenSSL would not apply such a CRL to a CA
 * certificate, so the chain would fail at the handshake anyway).
 */
export function readCrl(der: Buffer): ReadCrl {
  try {
    return parseCrl(der);
  } catch (error) {
    if (error instanceof TrustloopError) throw error;
    throw refuse('not a well-formed DER X.509 CRL');
  }
}

function parseCrl(der: Buffer): ReadCrl {
  const list = AsnConvert.parse(der, asn.CertificateList);
  const x509 = new X509Crl(toArrayBuffer(der));
  const tbs = list.tbsCertList;
  if (!tbs.nextUpdate) throw refuse('the CRL has no nextUpdate');
  let number: number | undefined;
  for (const ext of tbs.crlExtensions ?? []) {
    if (ext.extnID === asn.id_ce_deltaCRLIndicator) throw refuse('a delta CRL cannot stand for the complete CRL');
    if (ext.extnID === asn.id_ce_cRLNumber) {
      const value = AsnConvert.parse(ext.extnValue.buffer, asn.CRLNumber).value;
      if (!Number.isSafeInteger(value) || value < 0 || value > MAX_CRL_NUMBER)
        throw refuse(`the CRL number is outside 0..${MAX_CRL_NUMBER}`);
      number = value;
    } else if (ext.extnID === asn.id_ce_issuingDistributionPoint) {
      const idp = AsnConvert.parse(ext.extnValue.buffer, asn.IssuingDistributionPoint);
      if (idp.onlyContainsUserCerts || idp.onlyContainsAttributeCerts || idp.onlySomeReasons || idp.indirectCRL)
        throw refuse('the CRL covers only part of what the CA issued (issuingDistributionPoint)');
    } else if (ext.critical) {
      throw refuse(`the CRL has a critical extension this hub does not understand (${ext.extnID})`);
    }
  }
  if (number === undefined) throw refuse('the CRL has no CRL number (RFC 5280 requires one)');
  const entries = (tbs.revokedCertificates ?? []).map((entry) => {
    let reason = 0;
    for (const ext of entry.crlEntryExtensions ?? []) {
      if (ext.extnID === asn.id_ce_cRLReasons) reason = AsnConvert.parse(ext.extnValue.buffer, asn.CRLReason).reason;
      else if (ext.extnID === asn.id_ce_certificateIssuer) throw refuse('indirect CRL entries are not accepted');
    }
    return {
      serial: Buffer.from(entry.userCertificate).toString('hex'),
      revokedAt: entry.revocationDate.getTime(),
      reason,
    };
  });
  return {
    der,
    x509,
    issuer: x509.issuer,
    number,
    thisUpdate: tbs.thisUpdate.getTime(),
    nextUpdate: tbs.nextUpdate.getTime(),
    entries,
  };
}

/** True when the CRL names the CA as its issuer and the CA's public key verifies its signature. */
export async function crlSignedBy(crl: ReadCrl, ca: ReadCertificate): Promise<boolean> {
  if (crl.issuer !== ca.subject) return false;
  try {
    return await crl.x509.verify({ publicKey: ca.x509.publicKey });
  } catch {
    return false;
  }
}
