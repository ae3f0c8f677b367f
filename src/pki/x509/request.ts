import { Attributes, CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { algorithmIdentifier } from './algorithms.js';
import { extension, toArrayBuffer, type CaSigner } from './build.js';
import { PemConverter } from './peculiar.js';

const ID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/**
 * A PKCS#10 request for a subordinate CA certificate (basicConstraints cA with path length 0,
 * keyCertSign and cRLSign), signed by the CA's own key through `signer` (the CPM): what an
 * external CA needs to certify a key that never leaves Trustloop.
 */
export async function caCertificationRequest(subject: asn.Name, spki: Buffer, signer: CaSigner): Promise<string> {
  const requested = new asn.Extensions([
    extension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints({ cA: true, pathLenConstraint: 0 })),
    extension(asn.id_ce_keyUsage, true, new asn.KeyUsage(asn.KeyUsageFlags.keyCertSign | asn.KeyUsageFlags.cRLSign)),
  ]);
  const info = new CertificationRequestInfo({
    subject,
    subjectPKInfo: AsnConvert.parse(spki, asn.SubjectPublicKeyInfo),
    attributes: new Attributes([
      new asn.Attribute({ type: ID_EXTENSION_REQUEST, values: [AsnConvert.serialize(requested)] }),
    ]),
  });
  const signature = await signer.sign(Buffer.from(AsnConvert.serialize(info)));
  const request = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: algorithmIdentifier(signer.signatureOid),
    signature: toArrayBuffer(signature),
  });
  return `${PemConverter.encode(AsnConvert.serialize(request), 'CERTIFICATE REQUEST')}\n`;
}
