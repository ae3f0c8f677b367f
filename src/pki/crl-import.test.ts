import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { Extension, X509CertificateGenerator, X509CrlGenerator, X509CrlReason } from '@peculiar/x509';
import { readCertificate } from './x509/certificate.js';
import { crlSignedBy, decodeCrlText, readCrl } from './x509/crl.js';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const NAME = 'CN=External Root, O=Scheme';

async function makeCa() {
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: NAME,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: ALG,
  });
  return { keys, cert: readCertificate(Buffer.from(cert.rawData)) };
}

const der = (value: object) => AsnConvert.serialize(value);

async function makeCrl(
  key: CryptoKey,
  options: { extensions?: Extension[]; nextUpdate?: Date | null; entries?: { serialNumber: string }[] } = {},
) {
  const crl = await X509CrlGenerator.create({
    issuer: NAME,
    thisUpdate: new Date(),
    ...(options.nextUpdate === null ? {} : { nextUpdate: options.nextUpdate ?? new Date(Date.now() + 86_400_000) }),
    extensions: options.extensions ?? [new Extension(asn.id_ce_cRLNumber, false, der(new asn.CRLNumber(7)))],
    entries: options.entries?.map((entry) => ({ ...entry, reason: X509CrlReason.keyCompromise })),
    signingKey: key,
    signingAlgorithm: ALG,
  });
  return Buffer.from(crl.rawData);
}

describe('imported CRLs', () => {
  it('reads a complete CRL and checks its signature against the CA that issued it, not a namesake', async () => {
    const ca = await makeCa();
    const namesake = await makeCa();
    const crl = readCrl(await makeCrl(ca.keys.privateKey, { entries: [{ serialNumber: '51c0ffee01' }] }));
    assert.equal(crl.number, 7);
    assert.deepEqual(
      crl.entries.map((e) => [e.serial, e.reason]),
      [['51c0ffee01', 1]],
    );
    assert.equal(await crlSignedBy(crl, ca.cert), true);
    assert.equal(await crlSignedBy(crl, namesake.cert), false);
  });

  it('takes PEM or base64 DER, and nothing else', async () => {
    const { keys } = await makeCa();
    const bytes = await makeCrl(keys.privateKey);
    const pem = `-----BEGIN X509 CRL-----\n${bytes.toString('base64')}\n-----END X509 CRL-----\n`;
    assert.deepEqual(decodeCrlText(pem), bytes);
    assert.deepEqual(decodeCrlText(bytes.toString('base64')), bytes);
    assert.throws(() => decodeCrlText('not base64!'), { code: 'ERR_CRL_INVALID' });
    assert.throws(() => decodeCrlText('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), {
      code: 'ERR_PEM_MALFORMED',
    });
    assert.throws(() => readCrl(Buffer.from('garbage')), { code: 'ERR_CRL_INVALID', message: /well-formed/ });
  });

  it('refuses what cannot stand for the complete, current CRL of a CA', async () => {
    const { keys } = await makeCa();
    const cases: [Parameters<typeof makeCrl>[1], RegExp][] = [
      [{ extensions: [] }, /no CRL number/],
      [{ nextUpdate: null }, /no nextUpdate/],
      [
        {
          extensions: [
            new Extension(asn.id_ce_cRLNumber, false, der(new asn.CRLNumber(8))),
            new Extension(asn.id_ce_deltaCRLIndicator, true, der(new asn.CRLNumber(7))),
          ],
        },
        /delta CRL/,
      ],
      [
        {
          extensions: [
            new Extension(asn.id_ce_cRLNumber, false, der(new asn.CRLNumber(8))),
            new Extension(
              asn.id_ce_issuingDistributionPoint,
              true,
              der(new asn.IssuingDistributionPoint({ onlyContainsUserCerts: true })),
            ),
          ],
        },
        /only part/,
      ],
      [
        {
          extensions: [
            new Extension(asn.id_ce_cRLNumber, false, der(new asn.CRLNumber(8))),
            new Extension('1.3.6.1.4.1.99999.1', true, der(new asn.CRLNumber(1))),
          ],
        },
        /critical extension/,
      ],
      [{ extensions: [new Extension(asn.id_ce_cRLNumber, false, der(new asn.CRLNumber(2 ** 40)))] }, /outside/],
    ];
    for (const [options, message] of cases) {
      const bytes = await makeCrl(keys.privateKey, options);
      assert.throws(() => readCrl(bytes), { code: 'ERR_CRL_INVALID', message });
    }
  });
});
