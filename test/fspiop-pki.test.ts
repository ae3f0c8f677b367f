import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SIGNATURE_EXAMPLE_BODY } from '../src/fspiop/fixtures/vectors.js';
import { forEachEngine } from './support/engines.js';
import { startPkiServer, type PkiTestServer, revokeOverApi } from './support/pki-server.js';
import { PARTICIPANT_B } from './support/server.js';

/** The FSPIOP signing-certificate registry takes certificates the hub PKI issued, and honours their revocation. */
forEachEngine('FSPIOP signatures with hub-PKI certificates', (engine) => {
  let t: PkiTestServer;
  before(async () => {
    t = await startPkiServer(engine);
  });
  after(() => t.close());

  it('verifies with a jws-signing certificate issued by the hub CA until the CA revokes it', async () => {
    const issued = await t.request({
      method: 'POST',
      url: '/api/v1/pki/certificates/hub',
      as: 'security-officer',
      payload: { profile: 'jws-signing', keyType: 'ec-p256' },
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const { certificate, certificatePem } = issued.json();
    const registered = await t.request({
      method: 'POST',
      url: '/api/v1/fspiop/certificates',
      as: 'security-officer',
      payload: { participantId: 'hub', use: 'sig', pem: certificatePem },
    });
    assert.equal(registered.statusCode, 201, registered.body);

    const request = {
      method: 'POST',
      uri: '/quotes',
      headers: {
        'Content-Type': 'application/vnd.interoperability.quotes+json;version=1.1',
        Date: 'Tue, 23 May 2017 21:12:31 GMT',
        'FSPIOP-Source': 'hub',
        'FSPIOP-Destination': PARTICIPANT_B,
      },
      body: SIGNATURE_EXAMPLE_BODY,
    };
    const signed = await t.request({
      method: 'POST',
      url: '/api/v1/fspiop/sign',
      as: 'security-officer',
      payload: { keyId: certificate.keyId, request },
    });
    assert.equal(signed.statusCode, 200, signed.body);
    const message = { ...request, headers: { ...request.headers, ...signed.json().headers } };
    const verify = () =>
      t.request({
        method: 'POST',
        url: '/api/v1/fspiop/verify',
        as: 'other-participant',
        payload: { request: message },
      });
    assert.equal((await verify()).statusCode, 200);

    const revoked = await revokeOverApi(t, 'certificates', certificate.id, 'keyCompromise');
    assert.equal(revoked.statusCode, 200, revoked.body);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the registry's one-second cache
    const refused = await verify();
    assert.deepEqual([refused.statusCode, refused.json().code], [400, 'ERR_FSPIOP_CERTIFICATE_NOT_VALID']);
    assert.match(refused.json().detail, /revoked by the hub CA/);
    const again = await t.request({
      method: 'POST',
      url: '/api/v1/fspiop/certificates',
      as: 'security-officer',
      payload: { participantId: 'hub', use: 'sig', pem: certificatePem },
    });
    assert.deepEqual([again.statusCode, again.json().code], [400, 'ERR_FSPIOP_CERTIFICATE_INVALID']);
  });
});
