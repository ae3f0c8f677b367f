import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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
