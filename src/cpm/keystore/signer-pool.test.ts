import assert from 'node:assert/strict';
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { signerPool } from './signer-pool.js';
import type { SignatureAlgorithm } from './types.js';

const keys: Record<SignatureAlgorithm, KeyObject> = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  PS256: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
  EdDSA: generateKeyPairSync('ed25519').privateKey,
};

function verifies(algorithm: SignatureAlgorithm, data: Buffer, signature: Buffer): boolean {
  const key = keys[algorithm];
  switch (algorithm) {
    case 'RS256':
      return verify('sha256', data, key, signature);
    case 'PS256':
      return verify('sha256', data, { key, padding: 6, saltLength: 32 }, signature);
    case 'ES256':
      return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'ES384':
      return verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      return verify(null, data, key, signature);
  }
}

describe('signing threads', () => {
  it('signs a concurrent burst of every algorithm, each signature over its own message', async () => {
    const algorithms = Object.keys(keys) as SignatureAlgorithm[];
    const jobs = Array.from({ length: 200 }, (_, i) => {
      const algorithm = algorithms[i % algorithms.length]!;
      const data = Buffer.from(`message ${i}`);
      return { algorithm, data, signed: signerPool.sign(`test:${algorithm}/`, keys[algorithm], algorithm, data) };
    });
    for (const job of jobs) assert.ok(verifies(job.algorithm, job.data, await job.signed), `${job.algorithm} failed`);
  });

  it('fails only the item whose key cannot make the signature asked for', async () => {
    const good = signerPool.sign('test:ES256/', keys.ES256, 'ES256', Buffer.from('fine'));
    const bad = signerPool.sign('test:EdDSA-as-RS256/', keys.EdDSA, 'RS256', Buffer.from('wrong'));
    await assert.rejects(bad);
    assert.ok(verifies('ES256', Buffer.from('fine'), await good));
  });

  it('hands a forgotten key over again when it is next used', async () => {
    await signerPool.sign('forget-me:v1/', keys.ES256, 'ES256', Buffer.from('before'));
    signerPool.forget('forget-me:');
    const after = await signerPool.sign('forget-me:v1/', keys.ES256, 'ES256', Buffer.from('after'));
    assert.ok(verifies('ES256', Buffer.from('after'), after));
  });
});
