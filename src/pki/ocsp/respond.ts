import { createHash } from 'node:crypto';
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  KeyHash,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
} from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { algorithmIdentifier } from '../x509/algorithms.js';
import type { CaSigner } from '../x509/build.js';
import { keepEncoding, parseKeepingEncoding, type Encoded } from '../x509/encoded.js';

export const HASH_BY_OID: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface ParsedOcspRequest {
  certIds: CertID[];
  nonce: asn.Extension | undefined;
}

/** At most this many certificates per request: one is what clients send, a few is generous. */
const MAX_REQUESTS = 10;

/** Parses an OCSPRequest DER; undefined when it is not one (answered with malformedRequest). */
export function parseOcspRequest(der: Buffer): ParsedOcspRequest | undefined {
  try {
    const request = AsnConvert.parse(der, OCSPRequest);
    const list = request.tbsRequest.requestList;
    if (list.length === 0 || list.length > MAX_REQUESTS) return undefined;
    return {
      certIds: list.map((item) => item.reqCert),
      nonce: request.tbsRequest.requestExtensions?.find((ext) => ext.extnID === id_pkix_ocsp_nonce),
    };
  } catch {
    return undefined;
  }
}

export const errorResponse = (status: OCSPResponseStatus): Buffer =>
  Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: status })));

export type Status = { kind: 'good' } | { kind: 'unknown' } | { kind: 'revoked'; revokedAt: Date; reason: number };

export interface ResponderIdentity {
  /** Carried in every response as issued. */
  certificate: Encoded<asn.Certificate>;
  /** byKey: the SHA-1 of the responder's subjectPublicKey (RFC 6960's KeyHash, an identifier only). */
  responderId: Encoded<ResponderID>;
  signatureAlgorithm: Encoded<asn.AlgorithmIdentifier>;
  signer: CaSigner;
}

/**
 * What a responder puts in every response, from its certificate's DER, encoded once: each
 * response then encodes only its own parts (times, statuses, the nonce).
 */
export function responderIdentity(certificateDer: Uint8Array, signer: CaSigner): ResponderIdentity {
  const certificate = parseKeepingEncoding(certificateDer, asn.Certificate);
  const bits = certificate.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey;
  const keyHash = createHash('sha1').update(Buffer.from(bits)).digest();
  return {
    certificate,
    responderId: keepEncoding(new ResponderID({ byKey: new KeyHash(keyHash) })),
    signatureAlgorithm: keepEncoding(algorithmIdentifier(signer.signatureOid)),
    signer,
  };
}

/** Builds and signs a basic OCSP response for the given statuses, echoing the nonce if any. */
export async function signedResponse(
  responder: ResponderIdentity,
  answers: { certId: CertID; status: Status }[],
  now: Date,
  validForMs: number,
  nonce: asn.Extension | undefined,
): Promise<Buffer> {
  const data = new ResponseData({
    responderID: responder.responderId,
    producedAt: now,
    responses: answers.map(
      ({ certId, status }) =>
        new SingleResponse({
          certID: certId,
          certStatus: certStatus(status),
          thisUpdate: now,
          nextUpdate: new Date(now.getTime() + validForMs),
        }),
    ),
  });
  if (nonce) data.responseExtensions = [nonce];
  // Encoded once: the bytes signed are the bytes the response carries.
  const signed = keepEncoding(data);
  const signature = await responder.signer.sign(Buffer.from(signed.der));
  const basic = new BasicOCSPResponse({
    tbsResponseData: signed,
    signatureAlgorithm: responder.signatureAlgorithm,
    signature: signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength) as ArrayBuffer,
    certs: [responder.certificate],
  });
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({
      responseType: id_pkix_ocsp_basic,
      response: new OctetString(AsnConvert.serialize(basic)),
    }),
  });
  return Buffer.from(AsnConvert.serialize(response));
}

/** The statuses without content, encoded once. */
const GOOD = keepEncoding(new CertStatus({ good: null }));
const UNKNOWN = keepEncoding(new CertStatus({ unknown: null }));

function certStatus(status: Status): CertStatus {
  if (status.kind === 'good') return GOOD;
  if (status.kind === 'unknown') return UNKNOWN;
  return new CertStatus({
    revoked: new RevokedInfo({ revocationTime: status.revokedAt, revocationReason: new asn.CRLReason(status.reason) }),
  });
}

/** Issuer name and key hashes of a CA, per hash algorithm, to match a request's CertID. */
export function issuerHashes(
  subject: asn.Name,
  spki: asn.SubjectPublicKeyInfo,
  hash: string,
): { name: string; key: string } {
  const nameDer = Buffer.from(AsnConvert.serialize(subject));
  return {
    name: createHash(hash).update(nameDer).digest('hex'),
    key: createHash(hash).update(Buffer.from(spki.subjectPublicKey)).digest('hex'),
  };
}
