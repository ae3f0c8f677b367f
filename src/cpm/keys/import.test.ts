import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  createDecipheriv,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { b64, forEachBackend, keyApi } from '../../../test/support/keys.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { KWP_IV } from '../keystore/import.js';

interface ImportParameters {
  importToken: string;
  algorithm: 'RSA_AES_KEY_WRAP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1';
  publicKey: string;
}

/**
 * Wraps key material the way AWS KMS documents it for its RSA_AES_KEY_WRAP algorithms, with the
 * openssl CLI: a fresh AES-256 key wraps the material (id-aes256-wrap-pad, RFC 5649) and RSA-OAEP
 * wraps that AES key for the CPM's import key.
 */
function wrapWithOpenssl(parameters: ImportParameters, material: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'trustloop-byok-'));
  try {
    const file = (name: string) => path.join(dir, name);
    const aesKey = randomBytes(32);
    writeFileSync(file('import.pem'), parameters.publicKey);
    writeFileSync(file('aes.bin'), aesKey);
    writeFileSync(file('material.bin'), material);
    const md = parameters.algorithm === 'RSA_AES_KEY_WRAP_SHA_256' ? 'sha256' : 'sha1';
    // prettier-ignore
    execFileSync('openssl', ['pkeyutl', '-encrypt', '-pubin', '-inkey', file('import.pem'), '-in', file('aes.bin'),
      '-out', file('aes.wrapped'), '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${md}`,
      '-pkeyopt', `rsa_mgf1_md:${md}`]);
    // prettier-ignore
    execFileSync('openssl', ['enc', '-id-aes256-wrap-pad', '-K', aesKey.toString('hex'), '-iv', KWP_IV.toString('hex'),
      '-in', file('material.bin'), '-out', file('material.wrapped')]);
    return b64(Buffer.concat([readFileSync(file('aes.wrapped')), readFileSync(file('material.wrapped'))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'der' });
const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

it('uses AES key wrap with padding exactly as RFC 5649 section 6 gives it', () => {
  const kek = Buffer.from('5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8', 'hex');
  const vectors = [
    ['138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a', 'c37b7e6492584340bed12207808941155068f738'],
    ['afbeb0f07dfbf5419200f2ccb50bb24f', '466f7250617369'],
  ];
  for (const [wrapped, key] of vectors) {
    const decipher = createDecipheriv('id-aes192-wrap-pad', kek, KWP_IV);
    const unwrapped = Buffer.concat([decipher.update(Buffer.from(wrapped!, 'hex')), decipher.final()]);
    assert.equal(unwrapped.toString('hex'), key);
  }
});

forEachBackend('BYOK key import', (backend, overrides, engine) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(engine, overrides);
  });
  after(() => t.close());
  const { call } = keyApi(() => t, backend);
  const parameters = async (as: 'security-officer' | 'participant' = 'security-officer') => {
    const response = await call('POST', '/api/v1/keys/import-parameters', {}, as);
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as ImportParameters;
  };
  const importKey = async (body: Record<string, unknown>, params: ImportParameters, material: Buffer) =>
    call('POST', '/api/v1/keys/import', {
      ...body,
      importToken: params.importToken,
      wrappedKey: wrapWithOpenssl(params, material),
    });

  it('hands out one-time RSA-3072 import parameters for the keystore', async () => {
    const params = await parameters();
    assert.equal(createPublicKey(params.publicKey).asymmetricKeyDetails?.modulusLength, 3072);
    assert.equal(params.algorithm, backend === 'pkcs11' ? 'RSA_AES_KEY_WRAP_SHA_1' : 'RSA_AES_KEY_WRAP_SHA_256');
  });

  it('imports an AES-256 key that then encrypts under the material it was given', async () => {
    const material = randomBytes(32);
    const params = await parameters();
    const imported = await importKey({ name: 'byok-aes', type: 'aes-256-gcm', purpose: 'encrypt' }, params, material);
    assert.equal(imported.statusCode, 201, imported.body);
    assert.deepEqual([imported.json().origin, imported.json().backend], ['imported', backend]);
    const sealed = await call('POST', `/api/v1/keys/${imported.json().id}/encrypt`, { plaintext: b64('settlement') });
    const bytes = Buffer.from(sealed.json().ciphertext.slice(6), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', material, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plaintext = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
    assert.equal(plaintext.toString(), 'settlement');

    const reused = await importKey({ name: 'byok-again', type: 'aes-256-gcm', purpose: 'encrypt' }, params, material);
    assert.deepEqual([reused.statusCode, reused.json().code], [400, 'ERR_IMPORT_TOKEN_INVALID']);
  });

  it('imports EC and RSA signing keys whose signatures verify under the owner’s public key', async () => {
    const pairs: [string, KeyObject, KeyObject][] = [
      ['ec-p256', ...pair('ec', { namedCurve: 'P-256' })],
      ['rsa-2048', ...pair('rsa', { modulusLength: 2048 })],
    ];
    for (const [type, privateKey, publicKey] of pairs) {
      const imported = await importKey(
        { name: `byok-${type}`, type, purpose: 'sign', publicKey: spki(publicKey) },
        await parameters(),
        pkcs8(privateKey),
      );
      assert.equal(imported.statusCode, 201, imported.body);
      const id = imported.json().id;
      const signed = (await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('quote') })).json();
      const signature = Buffer.from(signed.signature.slice(6), 'base64url');
      const options = type.startsWith('ec') ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
      assert.ok(verify('sha256', Buffer.from('quote'), options, signature), `${type} imported signature`);
      const exported = (await call('GET', `/api/v1/keys/${id}/public-key`)).json().pem;
      assert.ok(createPublicKey(exported).equals(publicKey));
    }
  });

  it('rotates an imported key only by importing its next version', async () => {
    const [first, firstPublic] = pair('ec', { namedCurve: 'P-256' });
    const created = await importKey(
      { name: 'byok-rotating', type: 'ec-p256', purpose: 'sign', publicKey: spki(firstPublic) },
      await parameters(),
      pkcs8(first),
    );
    const id = created.json().id;
    const rotate = await call('POST', `/api/v1/keys/${id}/rotate`);
    assert.deepEqual([rotate.statusCode, rotate.json().code], [409, 'ERR_CONFLICT']);
    const [second, secondPublic] = pair('ec', { namedCurve: 'P-256' });
    const params = await parameters();
    const next = await call('POST', `/api/v1/keys/${id}/import-version`, {
      importToken: params.importToken,
      wrappedKey: wrapWithOpenssl(params, pkcs8(second)),
      publicKey: spki(secondPublic),
    });
    assert.equal(next.statusCode, 200, next.body);
    assert.equal(next.json().latestVersion, 2);
    const signed = (await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('v2') })).json();
    const signature = Buffer.from(signed.signature.slice(6), 'base64url');
    assert.ok(verify('sha256', Buffer.from('v2'), { key: secondPublic, dsaEncoding: 'ieee-p1363' }, signature));
  });

  it('refuses a public key of another pair, the wrong type, altered bytes and another party’s token', async () => {
    const [privateKey] = pair('ec', { namedCurve: 'P-256' });
    const [, strangerPublic] = pair('ec', { namedCurve: 'P-256' });
    const refusals: [Record<string, unknown>, Buffer, string][] = [
      [{ type: 'ec-p256', publicKey: spki(strangerPublic) }, pkcs8(privateKey), 'ERR_IMPORT_MISMATCH'],
      [{ type: 'ec-p384', publicKey: spki(strangerPublic) }, pkcs8(privateKey), 'ERR_IMPORT_FAILED'],
      [{ type: 'aes-256-gcm', purpose: 'encrypt' }, randomBytes(16), 'ERR_IMPORT_FAILED'],
    ];
    for (const [fields, material, code] of refusals) {
      const refused = await importKey(
        { name: 'byok-refused', purpose: 'sign', ...fields },
        await parameters(),
        material,
      );
      assert.deepEqual([refused.statusCode, refused.json().code], [400, code], refused.body);
    }

    const params = await parameters();
    const wrapped = Buffer.from(wrapWithOpenssl(params, randomBytes(32)), 'base64');
    wrapped[wrapped.length - 1]! ^= 1;
    const altered = await call('POST', '/api/v1/keys/import', {
      name: 'byok-altered',
      type: 'aes-256-gcm',
      purpose: 'encrypt',
      importToken: params.importToken,
      wrappedKey: b64(wrapped),
    });
    assert.deepEqual([altered.statusCode, altered.json().code], [400, 'ERR_IMPORT_FAILED']);

    const hubParams = await parameters();
    const stolen = await call(
      'POST',
      '/api/v1/keys/import',
      {
        name: 'byok-stolen',
        type: 'aes-256-gcm',
        purpose: 'encrypt',
        importToken: hubParams.importToken,
        wrappedKey: wrapWithOpenssl(hubParams, randomBytes(32)),
      },
      'participant',
    );
    assert.deepEqual([stolen.statusCode, stolen.json().code], [400, 'ERR_IMPORT_TOKEN_INVALID']);
    const names = (await call('GET', '/api/v1/keys')).json().items.map((k: { name: string }) => k.name);
    assert.ok(!names.some((name: string) => ['byok-refused', 'byok-altered', 'byok-stolen'].includes(name)));
    const denials = await t.app.audit.list({ limit: 20, action: 'key.import' });
    assert.ok(denials.filter((e) => e.outcome === 'denied').length >= 5);
  });
});

function pair(type: 'ec' | 'rsa', options: Record<string, unknown>): [KeyObject, KeyObject] {
  const { privateKey, publicKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
  return [privateKey, publicKey];
}
