/**
 * FSPIOP benchmark: JWS sign and verify of the Signature standard's POST /quotes example (RS256,
 * RSA-2048) through Trustloop's library path beside `@mojaloop/sdk-standard-components` (JwsSigner
 * and JwsValidator) in the same run, printed as ratios.
 *
 *   npm run bench:fspiop              (about half a minute)
 *
 * Trustloop signs through the CPM (policy checks, software keystore, audit events for the key
 * operation and the FSPIOP operation, group-committed) and verifies against the registered
 * certificate (header rules, jose, one audit event). The SDK runs synchronously on one core,
 * which is how it is called; Trustloop runs 512 operations in flight, which is how a server calls it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openApp } from '../src/app.js';
import { loadConfig } from '../src/core/config.js';
import { systemContext } from '../src/core/context.js';
import { issueCertificate } from '../src/fspiop/fixtures/keys.js';
import { SIGNATURE_EXAMPLE_BODY, SIGNATURE_EXAMPLE_HEADERS } from '../src/fspiop/fixtures/vectors.js';
import { verifyFspiopRequest } from '../src/fspiop/jws/verify.js';

const SECONDS = 4;
/**
 * Operations in flight on the library path. Each one returns only once its audit event is durable,
 * and events share a group commit (one fsync, 0.5-1.5 ms here), so the rate is at most
 * in-flight ÷ commit latency: 64 callers cap it near 64 ÷ 1 ms whatever the cryptography costs. A
 * hub's CPM serves many participants' requests at once; 512 measures the operations, not that cap.
 */
const IN_FLIGHT = 512;
const write = (line: string) => process.stdout.write(`${line}\n`);
const require = createRequire(import.meta.url);
const { Jws } = require('@mojaloop/sdk-standard-components') as {
  Jws: {
    signer: new (c: unknown) => { sign(r: unknown): void };
    validator: new (c: unknown) => { validate(r: unknown): true };
  };
};
const silent = { child: () => silent, isDebugEnabled: false, debug() {}, info() {}, warn() {}, error() {} };

async function rate(operation: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const start = performance.now();
  const until = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        await operation();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

function syncRate(operation: () => unknown): number {
  let done = 0;
  const start = performance.now();
  const until = start + SECONDS * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 20; i += 1) operation();
    done += 20;
  }
  return done / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-fspiop-'));
  const app = await openApp(loadConfig({}, { dataDir, logLevel: 'silent' }));
  const ctx = {
    ...systemContext(),
    actor: { type: 'token' as const, id: 'tok_benchbenchbenchb', role: 'security-officer', participantId: null },
  };
  try {
    for (const share of await app.ceremony.init(ctx, { shares: 2, threshold: 2 }))
      await app.ceremony.unseal(ctx, share);
    await app.participants.create(ctx, { id: '1234', name: 'Payer FSP', kind: 'dfsp' });
    const key = await app.keys.create(ctx, { name: 'bench-jws', type: 'rsa-2048', purpose: 'sign' });
    const { pem } = (await app.keys.publicKey(ctx, key.id, undefined, 'pem')) as { pem: string };
    await app.fspiop.certificates.upload(ctx, {
      participantId: '1234',
      pem: await issueCertificate(pem, { subject: '1234' }),
    });

    const request = {
      method: 'POST',
      uri: '/quotes',
      headers: SIGNATURE_EXAMPLE_HEADERS,
      body: Buffer.from(SIGNATURE_EXAMPLE_BODY),
    };
    const signed = await app.fspiop.sign(ctx, key.id, request);
    const signedRequest = { ...request, headers: { ...request.headers, ...signed.headers } };

    const sign = () => app.fspiop.sign(ctx, key.id, request);
    const verify = () => app.fspiop.verify(ctx, signedRequest);
    const resolve = (source: string) => app.fspiop.certificates.verificationKeys(source);
    const verifyUnaudited = () => verifyFspiopRequest(signedRequest, resolve);
    await rate(sign);
    await rate(verify);

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signer = new Jws.signer({ signingKey: privateKey.export({ type: 'pkcs1', format: 'pem' }), logger: silent });
    const sdkRequest = () => ({
      method: 'POST',
      uri: 'http://payee.example/quotes',
      headers: { 'fspiop-source': '1234', 'fspiop-destination': '5678', date: SIGNATURE_EXAMPLE_HEADERS.Date },
      body: JSON.parse(SIGNATURE_EXAMPLE_BODY) as unknown,
    });
    const sdkSigned = sdkRequest();
    signer.sign(sdkSigned);
    const validator = new Jws.validator({
      validationKeys: { '1234': publicKey.export({ type: 'spki', format: 'pem' }) },
      logger: silent,
    });
    const sdkBody = JSON.parse(sdkSigned.body as string) as unknown;
    const sdkSign = () => signer.sign(sdkRequest());
    const sdkVerify = () => validator.validate({ headers: sdkSigned.headers, body: sdkBody });
    syncRate(sdkSign);
    syncRate(sdkVerify);

    write(
      `# Trustloop FSPIOP benchmark: POST /quotes example, RS256 RSA-2048, ${SECONDS} s each, ${new Date().toISOString()}`,
    );
    write('| operation | Trustloop ops/s | SDK ops/s | ratio | target |');
    write('|---|--:|--:|--:|--:|');
    const rows: [string, number, number][] = [
      ['sign (CPM, audited)', await rate(sign), syncRate(sdkSign)],
      ['verify (registry + jose, audited)', await rate(verify), syncRate(sdkVerify)],
      ['verify (library, not audited)', await rate(verifyUnaudited), syncRate(sdkVerify)],
    ];
    for (const [label, ours, theirs] of rows)
      write(
        `| ${label} | ${Math.round(ours).toLocaleString('en')} | ${Math.round(theirs).toLocaleString('en')} | ${(ours / theirs).toFixed(2)} | ≥ 3 |`,
      );
    const audited = await app.audit.verify();
    write(`audit events: ${audited.checked.toLocaleString('en')}, chain intact: ${audited.ok}`);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
