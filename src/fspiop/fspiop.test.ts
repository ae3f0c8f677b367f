import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../core/config.js';
import { forEachEngine } from '../../test/support/engines.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer, type TestServer } from '../../test/support/server.js';
import { SOFTHSM_MODULE, softHsmConfig } from '../../test/support/softhsm.js';
import { issueCertificate } from './fixtures/keys.js';
import { SIGNATURE_EXAMPLE_BODY } from './fixtures/vectors.js';

type As = 'admin' | 'participant' | 'other-participant' | 'security-officer';

/** The standard's POST /quotes example, sent by participant A to participant B. */
const quoteRequest = (source = PARTICIPANT_A, body = SIGNATURE_EXAMPLE_BODY) => ({
  method: 'POST',
  uri: '/quotes',
  headers: {
    'Content-Type': 'application/vnd.interoperability.quotes+json;version=1.1',
    Date: 'Tue, 23 May 2017 21:12:31 GMT',
    'FSPIOP-Source': source,
    'FSPIOP-Destination': PARTICIPANT_B,
  },
  body,
});

function api(get: () => TestServer) {
  const call = async (method: 'GET' | 'POST', url: string, as: As, payload?: unknown) => {
    const response = await get().request({
      method,
      url,
      as,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: response.statusCode, json: response.json() };
  };
  const ok = async (method: 'GET' | 'POST', url: string, as: As, payload?: unknown) => {
    const response = await call(method, url, as, payload);
    assert.ok(response.status < 300, `${method} ${url}: ${response.status} ${JSON.stringify(response.json)}`);
    return response.json;
  };
  /** A CPM key of the caller's participant with a certificate for it registered. */
  const keyWithCertificate = async (
    as: As,
    participantId: string,
    type: string,
    purpose: 'sign' | 'encrypt',
    certificate: { notAfter?: Date } = {},
  ) => {
    const key = await ok('POST', '/api/v1/keys', as, { name: `k-${Math.random()}`, type, purpose });
    const { pem } = await ok('GET', `/api/v1/keys/${key.id}/public-key?format=pem`, as);
    const certPem = await issueCertificate(pem, { subject: participantId, ...certificate });
    const cert = await ok('POST', '/api/v1/fspiop/certificates', as, {
      participantId,
      use: purpose === 'sign' ? 'sig' : 'enc',
      pem: certPem,
    });
    return { keyId: key.id as string, certificateId: cert.id as string, certPem };
  };
  const sign = async (keyId: string, request = quoteRequest(), as: As = 'participant', algorithm?: string) => {
    const signed = await ok('POST', '/api/v1/fspiop/sign', as, { keyId, request, ...(algorithm ? { algorithm } : {}) });
    return { ...request, headers: { ...request.headers, ...signed.headers } };
  };
  const verify = (request: unknown, as: As = 'other-participant') =>
    call('POST', '/api/v1/fspiop/verify', as, { request });
  return { call, ok, keyWithCertificate, sign, verify };
}

const BACKENDS: [string, Partial<Config> | undefined][] = [
  ['software', {}],
  ['pkcs11', softHsmConfig()],
];

forEachEngine('FSPIOP message security over HTTP', (engine) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(engine);
  });
  after(() => t.close());
  const { call, ok, keyWithCertificate, sign, verify } = api(() => t);

  it('signs with a participant CPM key and verifies against its registered certificate (RS256, PS256, ES256)', async () => {
    for (const [type, algorithm] of [
      ['rsa-2048', 'RS256'],
      ['rsa-2048', 'PS256'],
      ['ec-p256', 'ES256'],
    ] as const) {
      const { keyId, certificateId } = await keyWithCertificate('participant', PARTICIPANT_A, type, 'sign');
      const signed = await sign(keyId, quoteRequest(), 'participant', algorithm);
      const header = JSON.parse(
        Buffer.from(JSON.parse(signed.headers['FSPIOP-Signature']).protectedHeader, 'base64url').toString(),
      );
      assert.deepEqual(Object.keys(header), [
        'alg',
        'FSPIOP-Destination',
        'FSPIOP-URI',
        'FSPIOP-HTTP-Method',
        'Date',
        'FSPIOP-Source',
      ]);
      const verified = await verify(signed);
      assert.equal(verified.status, 200, JSON.stringify(verified.json));
      assert.equal(verified.json.algorithm, algorithm);
      assert.equal(verified.json.source, PARTICIPANT_A);
      const retired = await ok('POST', `/api/v1/fspiop/certificates/${certificateId}/retire`, 'participant', {});
      assert.equal(retired.status, 'retired');
    }
    const [signature] = await t.app.audit.list({ limit: 1, action: 'key.sign' });
    assert.equal((signature!.details.fspiop as { source: string }).source, PARTICIPANT_A);
    assert.deepEqual(await t.app.audit.list({ limit: 1, action: 'fspiop.sign' }), [], 'one event per signature');
  });

  it('answers each bad message with a 400 and a stable code, and audits it without the payload', async () => {
    const { keyId } = await keyWithCertificate('participant', PARTICIPANT_A, 'rsa-2048', 'sign');
    const signed = await sign(keyId);
    const sig = JSON.parse(signed.headers['FSPIOP-Signature']) as { signature: string; protectedHeader: string };
    const header = JSON.parse(Buffer.from(sig.protectedHeader, 'base64url').toString()) as Record<string, string>;
    const withHeader = (changes: Record<string, string>) => ({
      ...signed,
      headers: {
        ...signed.headers,
        'FSPIOP-Signature': JSON.stringify({
          signature: sig.signature,
          protectedHeader: Buffer.from(JSON.stringify({ ...header, ...changes })).toString('base64url'),
        }),
      },
    });
    const unsigned = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'FSPIOP-Signature'));
    const cases: [string, unknown, string][] = [
      [
        'body changed by one byte',
        { ...signed, body: signed.body.replace('150', '151') },
        'ERR_FSPIOP_SIGNATURE_INVALID',
      ],
      [
        'body re-serialised',
        { ...signed, body: JSON.stringify(JSON.parse(signed.body)) },
        'ERR_FSPIOP_SIGNATURE_INVALID',
      ],
      [
        'destination changed',
        { ...signed, headers: { ...signed.headers, 'FSPIOP-Destination': 'dfsp-c' } },
        'ERR_FSPIOP_HEADER_MISMATCH',
      ],
      ['URI changed', { ...signed, uri: '/transfers' }, 'ERR_FSPIOP_HEADER_MISMATCH'],
      ['method changed', { ...signed, method: 'PUT' }, 'ERR_FSPIOP_HEADER_MISMATCH'],
      ['Date removed', { ...signed, headers: { ...signed.headers, Date: undefined } }, 'ERR_FSPIOP_HEADER_MISMATCH'],
      ['alg none', withHeader({ alg: 'none' }), 'ERR_FSPIOP_ALGORITHM'],
      ['HS256 with the public key', withHeader({ alg: 'HS256' }), 'ERR_FSPIOP_ALGORITHM'],
      ['extra protected field without its header', withHeader({ 'X-Extra': '1' }), 'ERR_FSPIOP_HEADER_MISMATCH'],
      ['key from the message (jwk)', withHeader({ jwk: 'x' }), 'ERR_FSPIOP_SIGNATURE_MALFORMED'],
      [
        'FSPIOP-URI missing from the protected header',
        withHeader({ 'FSPIOP-URI': undefined as unknown as string }),
        'ERR_FSPIOP_SIGNATURE_MALFORMED',
      ],
      [
        'malformed JWS',
        { ...signed, headers: { ...signed.headers, 'FSPIOP-Signature': '{"signature":"a b"}' } },
        'ERR_FSPIOP_SIGNATURE_MALFORMED',
      ],
      [
        'not JSON',
        { ...signed, headers: { ...signed.headers, 'FSPIOP-Signature': 'eyJ.x.y' } },
        'ERR_FSPIOP_SIGNATURE_MALFORMED',
      ],
      ['no signature', { ...signed, headers: unsigned }, 'ERR_FSPIOP_SIGNATURE_MISSING'],
      [
        'unknown source',
        {
          ...withHeader({ 'FSPIOP-Source': 'nobody' }),
          headers: { ...withHeader({ 'FSPIOP-Source': 'nobody' }).headers, 'FSPIOP-Source': 'nobody' },
        },
        'ERR_FSPIOP_UNKNOWN_SOURCE',
      ],
      ['non-JSON body', { ...signed, body: 'amount=150' }, 'ERR_FSPIOP_BODY_NOT_JSON'],
      ['oversized body', { ...signed, body: JSON.stringify({ pad: 'x'.repeat(300_000) }) }, 'ERR_PAYLOAD_TOO_LARGE'],
    ];
    for (const [label, request, code] of cases) {
      const response = await verify(JSON.parse(JSON.stringify(request)));
      assert.ok(response.status >= 400 && response.status < 500, `${label}: ${response.status}`);
      assert.equal(response.json.code, code, `${label}: ${JSON.stringify(response.json)}`);
    }
    const events = await t.app.audit.list({ limit: 50, action: 'fspiop.verify' });
    const denied = events.filter((e) => e.outcome === 'denied');
    assert.ok(denied.length >= cases.length - 1, 'every refused verification is audited');
    assert.ok(denied.some((e) => e.errorCode === 'ERR_FSPIOP_ALGORITHM'));
    assert.doesNotMatch(JSON.stringify(events), /Bill Lee|16135551212/);
  });

  it('lets a participant sign only as itself, and manage only its own certificates', async () => {
    const { keyId, certificateId } = await keyWithCertificate('participant', PARTICIPANT_A, 'ec-p256', 'sign');
    const forged = await call('POST', '/api/v1/fspiop/sign', 'participant', {
      keyId,
      request: quoteRequest(PARTICIPANT_B),
    });
    assert.equal(forged.status, 403);
    const othersKey = await call('POST', '/api/v1/fspiop/sign', 'other-participant', {
      keyId,
      request: quoteRequest(PARTICIPANT_B),
    });
    assert.equal(othersKey.status, 404);
    const { pem } = await ok('GET', `/api/v1/keys/${keyId}/public-key?format=pem`, 'participant');
    const upload = await call('POST', '/api/v1/fspiop/certificates', 'other-participant', {
      participantId: PARTICIPANT_A,
      pem: await issueCertificate(pem, { subject: 'mallory' }),
    });
    assert.equal(upload.status, 403);
    assert.equal(
      (await call('POST', `/api/v1/fspiop/certificates/${certificateId}/retire`, 'other-participant', {})).status,
      404,
    );
    assert.equal((await call('GET', `/api/v1/fspiop/certificates/${certificateId}`, 'other-participant')).status, 404);
    const listed = await ok('GET', '/api/v1/fspiop/certificates', 'other-participant');
    assert.ok(listed.items.every((c: { participantId: string }) => c.participantId === PARTICIPANT_B));
    // Public keys are for everyone in the scheme: B fetches A's JWK Set.
    const jwks = await ok('GET', `/api/v1/fspiop/participants/${PARTICIPANT_A}/jwks?use=sig`, 'other-participant');
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === certificateId);
    assert.equal(jwk.crv, 'P-256');
    assert.equal(jwk.use, 'sig');
    assert.ok(Array.isArray(jwk.x5c));
    assert.equal(jwk.d, undefined);
  });

  it('rotates without downtime: two certificates valid in the overlap, then the old one retires', async () => {
    const source = 'hub';
    const old = await keyWithCertificate('admin', source, 'rsa-2048', 'sign');
    const oldSigned = await sign(old.keyId, quoteRequest(source), 'admin');
    const key = await ok('POST', '/api/v1/keys', 'admin', { name: 'hub-jws-2', type: 'rsa-2048', purpose: 'sign' });
    const { pem } = await ok('GET', `/api/v1/keys/${key.id}/public-key?format=pem`, 'admin');
    const overlapEnd = new Date(Date.now() + 3_600_000).toISOString();
    const next = await ok('POST', '/api/v1/fspiop/certificates', 'admin', {
      participantId: source,
      pem: await issueCertificate(pem, { subject: source }),
      retirePreviousAt: overlapEnd,
    });
    assert.equal((await ok('GET', `/api/v1/fspiop/certificates/${old.certificateId}`, 'admin')).status, 'retiring');
    const newSigned = await sign(key.id, quoteRequest(source), 'admin');
    assert.equal((await verify(oldSigned)).json.certificateId, old.certificateId);
    assert.equal((await verify(newSigned)).json.certificateId, next.id);
    await ok('POST', `/api/v1/fspiop/certificates/${old.certificateId}/retire`, 'admin', {});
    assert.equal((await verify(oldSigned)).json.code, 'ERR_FSPIOP_SIGNATURE_INVALID');
    assert.equal((await verify(newSigned)).status, 200);
    await ok('POST', `/api/v1/fspiop/certificates/${next.id}/retire`, 'admin', {});
    const none = await verify(newSigned);
    assert.equal(none.json.code, 'ERR_FSPIOP_CERTIFICATE_NOT_VALID');
    assert.match(none.json.detail, /retired/);
    const again = await call('POST', `/api/v1/fspiop/certificates/${next.id}/retire`, 'admin', {});
    assert.equal(again.status, 409);
  });

  it('refuses an expired certificate at upload and once it expires', async () => {
    const key = await ok('POST', '/api/v1/keys', 'participant', { name: 'short', type: 'ec-p256', purpose: 'sign' });
    const { pem } = await ok('GET', `/api/v1/keys/${key.id}/public-key?format=pem`, 'participant');
    const expired = await issueCertificate(pem, {
      subject: 'x',
      notBefore: new Date(Date.now() - 7_200_000),
      notAfter: new Date(Date.now() - 3_600_000),
    });
    const refused = await call('POST', '/api/v1/fspiop/certificates', 'participant', {
      participantId: PARTICIPANT_A,
      pem: expired,
    });
    assert.equal(refused.json.code, 'ERR_VALIDATION');
    const notCert = await call('POST', '/api/v1/fspiop/certificates', 'participant', {
      participantId: PARTICIPANT_A,
      pem,
    });
    assert.equal(notCert.json.code, 'ERR_FSPIOP_CERTIFICATE_INVALID');
    // B has no other signing certificate: one that lapses in two seconds.
    const short = await issueCertificate(pem, { subject: 'x', notAfter: new Date(Date.now() + 2_000) });
    await ok('POST', '/api/v1/fspiop/certificates', 'participant', { participantId: PARTICIPANT_A, pem: short });
    const keyB = await ok('POST', '/api/v1/keys', 'other-participant', {
      name: 'b-short',
      type: 'ec-p256',
      purpose: 'sign',
    });
    const pemB = (await ok('GET', `/api/v1/keys/${keyB.id}/public-key?format=pem`, 'other-participant')).pem;
    await ok('POST', '/api/v1/fspiop/certificates', 'other-participant', {
      participantId: PARTICIPANT_B,
      pem: await issueCertificate(pemB, { subject: 'b', notAfter: new Date(Date.now() + 2_000) }),
    });
    const request = {
      ...quoteRequest(PARTICIPANT_B),
      headers: { ...quoteRequest(PARTICIPANT_B).headers, 'FSPIOP-Destination': PARTICIPANT_A },
    };
    const signed = await sign(keyB.id, request, 'other-participant');
    assert.equal((await verify(signed, 'participant')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 2_600));
    const lapsed = await verify(signed, 'participant');
    assert.equal(lapsed.json.code, 'ERR_FSPIOP_CERTIFICATE_NOT_VALID');
    assert.match(lapsed.json.detail, /expired/);
  });

  it('encrypts fields to the recipient certificate and decrypts them with its CPM key', async () => {
    const { keyId } = await keyWithCertificate('other-participant', PARTICIPANT_B, 'rsa-2048', 'encrypt');
    const body = JSON.stringify(JSON.parse(SIGNATURE_EXAMPLE_BODY));
    const encrypted = await ok('POST', '/api/v1/fspiop/encrypt', 'participant', {
      recipient: PARTICIPANT_B,
      body,
      fields: ['payer', 'payee.partyIdInfo.partyIdentifier'],
    });
    assert.doesNotMatch(encrypted.body, /Bill Lee|15295558888/);
    const decrypted = await ok('POST', '/api/v1/fspiop/decrypt', 'other-participant', {
      keyId,
      body: encrypted.body,
      encryption: encrypted.headers['FSPIOP-Encryption'],
    });
    assert.deepEqual(JSON.parse(decrypted.body), JSON.parse(body));
    assert.deepEqual(decrypted.fields, ['payer', 'payee.partyIdInfo.partyIdentifier']);
    const stranger = await call('POST', '/api/v1/fspiop/decrypt', 'participant', {
      keyId,
      body: encrypted.body,
      encryption: encrypted.headers['FSPIOP-Encryption'],
    });
    assert.equal(stranger.status, 404);
    const missing = await call('POST', '/api/v1/fspiop/encrypt', 'participant', {
      recipient: PARTICIPANT_B,
      body,
      fields: ['payer.nothing'],
    });
    assert.equal(missing.json.code, 'ERR_FSPIOP_FIELD_NOT_FOUND');
    const noCert = await call('POST', '/api/v1/fspiop/encrypt', 'participant', {
      recipient: 'hub',
      body,
      fields: ['payer'],
    });
    assert.equal(noCert.json.code, 'ERR_FSPIOP_UNKNOWN_SOURCE');
    const broken = await call('POST', '/api/v1/fspiop/decrypt', 'other-participant', {
      keyId,
      body: encrypted.body,
      encryption: '{"encryptedFields":{}}',
    });
    assert.equal(broken.json.code, 'ERR_FSPIOP_ENCRYPTION_MALFORMED');
  });

  it('makes the ILP packet and condition from a CPM HMAC key, regenerates the fulfilment, and checks it', async () => {
    const key = await ok('POST', '/api/v1/keys', 'participant', {
      name: 'ilp-secret',
      type: 'hmac-sha256',
      purpose: 'mac',
    });
    const quote = JSON.parse(SIGNATURE_EXAMPLE_BODY) as Record<string, unknown>;
    const quoteResponse = {
      transferAmount: { amount: '151.5', currency: 'USD' },
      expiration: '2030-01-01T00:00:00.000Z',
    };
    const { ilpPacket, condition } = await ok('POST', '/api/v1/fspiop/ilp/quote', 'participant', {
      keyId: key.id,
      quoteRequest: quote,
      quoteResponse,
    });
    const decoded = await ok('POST', '/api/v1/fspiop/ilp/decode', 'participant', { ilpPacket });
    assert.equal(decoded.amount, '15150');
    assert.equal(decoded.condition, condition);
    const { fulfilment } = await ok('POST', '/api/v1/fspiop/ilp/fulfil', 'participant', { keyId: key.id, ilpPacket });
    assert.deepEqual(await ok('POST', '/api/v1/fspiop/ilp/check', 'participant', { fulfilment, condition }), {
      valid: true,
    });
    const wrong = `${fulfilment.slice(0, 42)}${fulfilment.at(-1) === 'A' ? 'B' : 'A'}`;
    assert.deepEqual(await ok('POST', '/api/v1/fspiop/ilp/check', 'participant', { fulfilment: wrong, condition }), {
      valid: false,
    });
    const other = await ok('POST', '/api/v1/keys', 'participant', {
      name: 'ilp-other',
      type: 'hmac-sha256',
      purpose: 'mac',
    });
    const refused = await call('POST', '/api/v1/fspiop/ilp/fulfil', 'participant', { keyId: other.id, ilpPacket });
    assert.equal(refused.json.code, 'ERR_ILP_INVALID');
    const badCurrency = await call('POST', '/api/v1/fspiop/ilp/quote', 'participant', {
      keyId: key.id,
      quoteRequest: quote,
      quoteResponse: { ...quoteResponse, transferAmount: { amount: '1.001', currency: 'USD' } },
    });
    assert.equal(badCurrency.json.code, 'ERR_ILP_INVALID');
  });
});

for (const [backend, overrides] of BACKENDS.slice(1)) {
  describe(`FSPIOP with an HSM key (${backend})`, () => {
    if (!overrides) {
      it('runs on SoftHSM2', { skip: process.env.CI === 'true' ? false : 'SoftHSM2 is not installed' }, () => {
        assert.fail(`CI=true but ${SOFTHSM_MODULE} is missing: install softhsm2`);
      });
      return;
    }
    let t: TestServer;
    before(async () => {
      t = await startTestServer('sqlite', overrides);
    });
    after(() => t.close());
    const { call, ok, keyWithCertificate, sign, verify } = api(() => t);

    it('signs inside the token (RS256, ES256) and verifies against the certificate', async () => {
      for (const type of ['rsa-2048', 'ec-p256']) {
        const { keyId } = await keyWithCertificate('participant', PARTICIPANT_A, type, 'sign');
        assert.equal((await ok('GET', `/api/v1/keys/${keyId}`, 'participant')).key.backend, 'pkcs11');
        const verified = await verify(await sign(keyId));
        assert.equal(verified.status, 200, JSON.stringify(verified.json));
      }
    });

    it('answers 409 ERR_HSM_UNSUPPORTED when decryption needs OAEP-SHA-256 the token lacks', async () => {
      const { keyId } = await keyWithCertificate('other-participant', PARTICIPANT_B, 'rsa-2048', 'encrypt');
      const encrypted = await ok('POST', '/api/v1/fspiop/encrypt', 'participant', {
        recipient: PARTICIPANT_B,
        body: '{"payer":"x"}',
        fields: ['payer'],
      });
      const refused = await call('POST', '/api/v1/fspiop/decrypt', 'other-participant', {
        keyId,
        body: encrypted.body,
        encryption: encrypted.headers['FSPIOP-Encryption'],
      });
      assert.equal(refused.status, 409);
      assert.equal(refused.json.code, 'ERR_HSM_UNSUPPORTED');
    });
  });
}
