import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import type { SignatureAlgorithm } from '../../cpm/keystore/types.js';

/** The CPM key types a CA may hold, with the JOSE algorithm the CPM signs with and its X.509 OID. */
export const CA_KEY_TYPES = ['ec-p256', 'ec-p384', 'rsa-3072', 'rsa-4096'] as const;
export type CaKeyType = (typeof CA_KEY_TYPES)[number];

const OID = {
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  rsaSha256: '1.2.840.113549.1.1.11',
  rsaSha384: '1.2.840.113549.1.1.12',
  rsaSha512: '1.2.840.113549.1.1.13',
  rsaSha1: '1.2.840.113549.1.1.5',
  ecdsaSha1: '1.2.840.10045.4.1',
  rsaMd5: '1.2.840.113549.1.1.4',
} as const;

export const SIGNING_BY_KEY_TYPE: Record<CaKeyType, { jose: SignatureAlgorithm; oid: string }> = {
  'ec-p256': { jose: 'ES256', oid: OID.ecdsaSha256 },
  'ec-p384': { jose: 'ES384', oid: OID.ecdsaSha384 },
  'rsa-3072': { jose: 'RS256', oid: OID.rsaSha256 },
  'rsa-4096': { jose: 'RS256', oid: OID.rsaSha256 },
};

/** RSA signature algorithms carry an explicit NULL parameter (RFC 4055); ECDSA ones carry none. */
export function algorithmIdentifier(oid: string): AlgorithmIdentifier {
  return oid.startsWith('1.2.840.113549.')
    ? new AlgorithmIdentifier({ algorithm: oid, parameters: null })
    : new AlgorithmIdentifier({ algorithm: oid });
}

/** Signature algorithms Trustloop accepts on a CSR or a participant's chain: SHA-2 only. */
export const ACCEPTED_SIGNATURE_ALGORITHMS: Record<string, { name: string; hash: string }> = {
  [OID.rsaSha256]: { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  [OID.rsaSha384]: { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  [OID.rsaSha512]: { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  [OID.ecdsaSha256]: { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  [OID.ecdsaSha384]: { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  [OID.ecdsaSha512]: { name: 'ecdsa-with-SHA512', hash: 'sha512' },
};

export const WEAK_SIGNATURE_ALGORITHMS: Record<string, string> = {
  [OID.rsaSha1]: 'sha1WithRSAEncryption',
  [OID.ecdsaSha1]: 'ecdsa-with-SHA1',
  [OID.rsaMd5]: 'md5WithRSAEncryption',
};

/** What a public key is, in the terms key rules are written in. */
export interface KeyInfo {
  /** `ec-p256`, `rsa-2048`, … or a description of something Trustloop does not accept. */
  type: string;
  family: 'rsa' | 'ec' | 'other';
  bits: number;
  curve: string | null;
  publicKey: KeyObject;
  spki: Buffer;
}

const CURVES: Record<string, string> = { prime256v1: 'p256', secp384r1: 'p384', secp521r1: 'p521' };

/** Reads a DER SubjectPublicKeyInfo with node:crypto; throws if it is not a public key at all. */
export function keyInfo(spki: Buffer): KeyInfo {
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (publicKey.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    return { type: `rsa-${bits}`, family: 'rsa', bits, curve: null, publicKey, spki };
  }
  if (publicKey.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    const short = CURVES[curve];
    const bits = short ? Number(short.slice(1)) : 0;
    return { type: short ? `ec-${short}` : `ec-${curve}`, family: 'ec', bits, curve, publicKey, spki };
  }
  return { type: publicKey.asymmetricKeyType ?? 'unknown', family: 'other', bits: 0, curve: null, publicKey, spki };
}

/**
 * Key identifier of a public key: the leftmost 160 bits of the SHA-256 of the subjectPublicKey
 * BIT STRING (RFC 7093 section 2, method 1), used for SKI and AKI; from the DER or the parsed SPKI.
 */
export function keyIdentifier(spki: Buffer | SubjectPublicKeyInfo): Buffer {
  const parsed = spki instanceof SubjectPublicKeyInfo ? spki : AsnConvert.parse(spki, SubjectPublicKeyInfo);
  return createHash('sha256').update(Buffer.from(parsed.subjectPublicKey)).digest().subarray(0, 20);
}

export const sha256Hex = (bytes: Buffer | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
