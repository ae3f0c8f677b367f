import 'reflect-metadata';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BasicOCSPResponse, OCSPResponse } from '@peculiar/asn1-ocsp';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { opensslSelfSigned } from '../../../test/support/pki.js';
import { readCertificatesPem } from '../x509/certificate.js';
import { parseKeepingEncoding } from '../x509/encoded.js';
import { parseOcspRequest, responderIdentity, signedResponse, type ResponderIdentity } from './respond.js';

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';

describe('OCSP response building', () => {
  let dir: string;
  let certDer: Buffer;
  let responder: ResponderIdentity;
  let request: Buffer;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-respond-'));
    const pem = opensslSelfSigned(dir, 'responder', '/O=Scheme/CN=OCSP responder', { ca: false });
    certDer = readCertificatesPem(pem, 'responder')[0]!.der;
    const key = createPrivateKey(readFileSync(path.join(dir, 'responder.key')));
    responder = responderIdentity(certDer, {
      signatureOid: ECDSA_SHA256,
      sign: async (data) => sign('sha256', data, key),
    });
    execFileSync(
      'openssl',
      ['ocsp', '-issuer', 'responder.pem', '-cert', 'responder.pem', '-nonce', '-reqout', 'request.der'],
      { cwd: dir, stdio: 'pipe' },
    );
    request = readFileSync(path.join(dir, 'request.der'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a certificate parsed keeping its encoding serialises to the DER it was read from', () => {
    const certificate = parseKeepingEncoding(certDer, asn.Certificate);
    assert.ok(certificate instanceof asn.Certificate);
    assert.equal(certificate.tbsCertificate.subject.length, 2, 'its fields are parsed');
    assert.deepEqual(Buffer.from(AsnConvert.serialize(certificate)), certDer);
  });

  it('signs the response data it carries, embeds the responder certificate as issued, echoes the nonce', async () => {
    const parsed = parseOcspRequest(request)!;
    const now = new Date('2026-11-26T04:00:00.000Z');
    const revokedAt = new Date('2026-11-25T10:00:00.000Z');
    const der = await signedResponse(
      responder,
      [{ certId: parsed.certIds[0]!, status: { kind: 'revoked', revokedAt, reason: 1 } }],
      now,
      3_600_000,
      parsed.nonce,
    );
    assert.ok(der.includes(certDer), 'the certificate bytes are carried unchanged');

    const basic = AsnConvert.parse(AsnConvert.parse(der, OCSPResponse).responseBytes!.response, BasicOCSPResponse);
    const data = basic.tbsResponseData;
    assert.deepEqual(
      Buffer.from(data.responseExtensions![0]!.extnValue.buffer),
      Buffer.from(parsed.nonce!.extnValue.buffer),
    );
    assert.equal(data.producedAt.getTime(), now.getTime());
    const single = data.responses[0]!;
    assert.equal(single.thisUpdate.getTime(), now.getTime());
    assert.equal(single.nextUpdate!.getTime(), now.getTime() + 3_600_000);
    assert.equal(single.certStatus.revoked!.revocationTime.getTime(), revokedAt.getTime());
    assert.equal(single.certStatus.revoked!.revocationReason?.reason, 1);
    assert.deepEqual(
      Buffer.from(AsnConvert.serialize(single.certID)),
      Buffer.from(AsnConvert.serialize(parsed.certIds[0]!)),
    );

    writeFileSync(path.join(dir, 'response.der'), der);
    const openssl = spawnSync(
      'openssl',
      ['ocsp', '-respin', 'response.der', '-VAfile', 'responder.pem', '-no_nonce', '-resp_text'],
      { cwd: dir, encoding: 'utf8' },
    );
    const text = openssl.stdout + openssl.stderr;
    assert.match(text, /Response verify OK/, 'the signature covers the carried response data');
    assert.match(text, /Cert Status: revoked/);
    assert.match(text, /Revocation Reason: keyCompromise/);
  });
});
