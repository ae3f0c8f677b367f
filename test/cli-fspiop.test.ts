import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { issueCertificate } from '../src/fspiop/fixtures/keys.js';
import { SIGNATURE_EXAMPLE_BODY } from '../src/fspiop/fixtures/vectors.js';
import { parseHttpMessage } from '../src/fspiop/http-message.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer, type TestServer } from './support/server.js';

const BIN = path.resolve('bin/trustloop.mjs');

let t: TestServer;
let env: Record<string, string>;
const dir = mkdtempSync(path.join(tmpdir(), 'trustloop-cli-fspiop-'));
/** Async: the server under test runs in this process, so a blocking spawn would deadlock it. */
const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

before(async () => {
  t = await startTestServer('sqlite');
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.server.server.address() as AddressInfo).port;
  env = {
    ...(process.env as Record<string, string>),
    TRUSTLOOP_URL: `http://127.0.0.1:${port}`,
    TRUSTLOOP_TOKEN: t.tokens.participant,
  };
});
after(() => t.close());

it('a DFSP engineer signs and verifies a request saved as an HTTP message, from the shell', async () => {
  const key = (
    await t.request({
      method: 'POST',
      url: '/api/v1/keys',
      as: 'participant',
      payload: { name: 'cli-jws', type: 'rsa-2048', purpose: 'sign' },
    })
  ).json();
  const { pem } = (
    await t.request({ method: 'GET', url: `/api/v1/keys/${key.id}/public-key?format=pem`, as: 'participant' })
  ).json();
  const certificate = path.join(dir, 'cert.pem');
  writeFileSync(certificate, await issueCertificate(pem, { subject: PARTICIPANT_A }));
  const uploaded = await t.request({
    method: 'POST',
    url: '/api/v1/fspiop/certificates',
    as: 'participant',
    payload: { participantId: PARTICIPANT_A, pem: await issueCertificate(pem, { subject: PARTICIPANT_A }) },
  });
  assert.equal(uploaded.statusCode, 201);

  const file = path.join(dir, 'quote.http');
  writeFileSync(
    file,
    `POST /quotes HTTP/1.1\nFSPIOP-Source: ${PARTICIPANT_A}\nFSPIOP-Destination: ${PARTICIPANT_B}\nDate: Tue, 23 May 2017 21:12:31 GMT\n\n${SIGNATURE_EXAMPLE_BODY}\n`,
  );
  const signed = await cli('fspiop', 'sign', '--key', key.id, file);
  assert.equal(signed.status, 0, signed.stderr);
  const message = parseHttpMessage(Buffer.from(signed.stdout));
  assert.ok(message.headers['FSPIOP-Signature']);
  assert.equal(message.body.toString(), SIGNATURE_EXAMPLE_BODY);
  const signedFile = path.join(dir, 'quote.signed.http');
  writeFileSync(signedFile, signed.stdout);

  const verified = await cli('fspiop', 'verify', signedFile);
  assert.equal(verified.status, 0, verified.stderr);
  assert.match(verified.stdout, new RegExp(`valid: signed by ${PARTICIPANT_A} with RS256`));

  writeFileSync(signedFile, signed.stdout.replace('"amount": "150"', '"amount": "151"'));
  const refused = await cli('fspiop', 'verify', signedFile);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /ERR_FSPIOP_SIGNATURE_INVALID/);
});

it('trustloop serve runs the verifying proxy in front of a switch when an upstream is configured', async () => {
  const received: string[] = [];
  const upstream = createServer((request, response) => {
    received.push(`${request.method} ${request.url}`);
    response.setHeader('content-type', 'application/json');
    response.end('{"forwarded":true}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...(process.env as Record<string, string>),
      TRUSTLOOP_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'trustloop-proxy-')),
      TRUSTLOOP_PORT: '0',
      TRUSTLOOP_FSPIOP_PROXY_PORT: '0',
      TRUSTLOOP_FSPIOP_PROXY_UPSTREAM: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      TRUSTLOOP_LOG_LEVEL: 'info',
    },
  });
  try {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const deadline = Date.now() + 20_000;
    let port: number | undefined;
    while (port === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const listening = /"port":(\d+),"upstream".*FSPIOP verifying proxy listening/.exec(stdout);
      port = listening ? Number(listening[1]) : undefined;
    }
    assert.ok(port, `the proxy did not start: ${stdout}`);
    const proxy = `http://127.0.0.1:${port}`;
    const unsigned = await fetch(`${proxy}/quotes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'fspiop-source': PARTICIPANT_A },
      body: SIGNATURE_EXAMPLE_BODY,
    });
    assert.equal(unsigned.status, 400);
    assert.equal(
      ((await unsigned.json()) as { errorInformation: { errorCode: string } }).errorInformation.errorCode,
      '3102',
    );
    const passed = await fetch(`${proxy}/parties/MSISDN/123`);
    assert.deepEqual(await passed.json(), { forwarded: true });
    assert.deepEqual(received, ['GET /parties/MSISDN/123'], 'only the unsigned GET reached the switch');
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    upstream.close();
  }
});
