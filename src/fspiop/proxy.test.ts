import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { systemContext } from '../core/context.js';
import { forEachEngine } from '../../test/support/engines.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer, type TestServer } from '../../test/support/server.js';
import { issueCertificate } from './fixtures/keys.js';
import { SIGNATURE_EXAMPLE_BODY } from './fixtures/vectors.js';
import { buildVerifyingProxy } from './proxy.js';

forEachEngine('FSPIOP verifying proxy', (engine) => {
  let t: TestServer;
  let upstream: Server;
  let proxy: FastifyInstance;
  const received: { url: string; body: string; signature: string | undefined }[] = [];
  let headers: Record<string, string>;

  before(async () => {
    t = await startTestServer(engine);
    upstream = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          url: request.url ?? '',
          body: Buffer.concat(chunks).toString(),
          signature: request.headers['fspiop-signature'] as string | undefined,
        });
        response.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    proxy = await buildVerifyingProxy(t.app, {
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    });
    const ctx = {
      ...systemContext(),
      actor: { type: 'token' as const, id: 'tok_x', role: 'admin', participantId: null },
    };
    const key = await t.app.keys.create(ctx, {
      name: 'proxy-jws',
      type: 'rsa-2048',
      purpose: 'sign',
    });
    const { pem } = (await t.app.keys.publicKey(ctx, key.id, undefined, 'pem')) as { pem: string };
    await t.app.fspiop.certificates.upload(ctx, {
      participantId: PARTICIPANT_A,
      pem: await issueCertificate(pem, { subject: PARTICIPANT_A }),
    });
    const request = {
      method: 'POST',
      uri: '/quotes',
      headers: {
        'content-type': 'application/vnd.interoperability.quotes+json;version=1.1',
        'fspiop-source': PARTICIPANT_A,
        'fspiop-destination': PARTICIPANT_B,
      },
      body: Buffer.from(SIGNATURE_EXAMPLE_BODY),
    };
    headers = { ...request.headers, ...(await t.app.fspiop.sign(ctx, key.id, request)).headers };
  });
  after(async () => {
    await proxy.close();
    upstream.close();
    await t.close();
  });

  it('forwards a correctly signed request with its body bytes untouched', async () => {
    const response = await proxy.inject({ method: 'POST', url: '/quotes', headers, payload: SIGNATURE_EXAMPLE_BODY });
    assert.equal(response.statusCode, 202, response.body);
    assert.equal(received.at(-1)?.body, SIGNATURE_EXAMPLE_BODY);
    assert.ok(received.at(-1)?.signature);
  });

  it('answers FSPIOP 3105 for a bad signature and 3106 for a changed header, without forwarding', async () => {
    const before = received.length;
    const tampered = await proxy.inject({
      method: 'POST',
      url: '/quotes',
      headers,
      payload: SIGNATURE_EXAMPLE_BODY.replace('150', '151'),
    });
    assert.equal(tampered.statusCode, 400);
    assert.equal(tampered.json().errorInformation.errorCode, '3105');
    const redirected = await proxy.inject({
      method: 'POST',
      url: '/quotes',
      headers: { ...headers, 'fspiop-destination': 'dfsp-z' },
      payload: SIGNATURE_EXAMPLE_BODY,
    });
    assert.equal(redirected.json().errorInformation.errorCode, '3106');
    const unsigned = await proxy.inject({
      method: 'POST',
      url: '/quotes',
      headers: { 'content-type': 'application/json', 'fspiop-source': PARTICIPANT_A },
      payload: '{}',
    });
    assert.equal(unsigned.json().errorInformation.errorCode, '3102');
    assert.equal(received.length, before);
    const [event] = await t.app.audit.list({ limit: 1, action: 'fspiop.verify' });
    assert.equal(event!.outcome, 'denied');
  });
});
