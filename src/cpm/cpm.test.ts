import assert from 'node:assert/strict';
import { constants, createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { after, before, it } from 'node:test';
import { split } from 'shamir-secret-sharing';
import { forEachEngine } from '../../test/support/engines.js';
import { b64, forEachBackend, keyApi } from '../../test/support/keys.js';
import { systemContext } from '../core/context.js';
import { PARTICIPANT_A, startTestServer, type TestServer } from '../../test/support/server.js';

forEachEngine('CPM software keystore', (engine) => {
  let t: TestServer;
  let shares: string[];

  before(async () => {
    t = await startTestServer(engine, {}, { sealed: true });
  });
  after(() => t.close());

  const { call, createKey } = keyApi(() => t, 'software');

  it('starts sealed: operations answer 503 ERR_SEALED and health says so', async () => {
    assert.equal((await t.request({ method: 'GET', url: '/healthz', as: 'none' })).json().keystore, 'sealed');
    const status = (await call('GET', '/api/v1/keystore')).json();
    assert.deepEqual(status, {
      backend: 'software',
      initialized: false,
      sealed: true,
      threshold: null,
      shares: null,
      progress: 0,
    });
    const unseal = await call('POST', '/api/v1/keystore/unseal', { share: 'tlks1-x' });
    assert.equal(unseal.json().code, 'ERR_KEYSTORE_NOT_INITIALIZED');
  });

  it('splits the master key into custodian shares and opens at the threshold', async () => {
    const init = await call('POST', '/api/v1/keystore/init', { shares: 5, threshold: 3 });
    assert.equal(init.statusCode, 201, init.body);
    shares = init.json().shares;
    assert.equal(shares.length, 5);
    assert.equal(
      (await call('POST', '/api/v1/keystore/init', { shares: 3, threshold: 2 })).json().code,
      'ERR_KEYSTORE_INITIALIZED',
    );

    const key = await call('POST', '/api/v1/keys', { name: 'sealed-key', type: 'ec-p256', purpose: 'sign' });
    assert.equal(key.statusCode, 503);
    assert.equal(key.json().code, 'ERR_SEALED');

    assert.equal(
      (await call('POST', '/api/v1/keystore/unseal', { share: 'tlks1-notashare' })).json().code,
      'ERR_INVALID_SHARE',
    );
    assert.equal((await call('POST', '/api/v1/keystore/unseal', { share: shares[0]! })).json().progress, 1);
    assert.equal(
      (await call('POST', '/api/v1/keystore/unseal', { share: shares[0]! })).json().code,
      'ERR_DUPLICATE_SHARE',
    );
    const second = (await call('POST', '/api/v1/keystore/unseal', { share: shares[3]! })).json();
    assert.deepEqual([second.sealed, second.progress], [true, 2]);
    const third = (await call('POST', '/api/v1/keystore/unseal', { share: shares[4]! })).json();
    assert.deepEqual([third.sealed, third.progress], [false, 0]);
    assert.equal((await t.request({ method: 'GET', url: '/healthz', as: 'none' })).json().keystore, 'unsealed');

    const trail = JSON.stringify(await t.app.audit.list({ limit: 100, action: 'keystore.*' }));
    for (const share of shares) assert.ok(!trail.includes(share.slice(6)), 'a share reached the audit trail');
  });

  it('refuses shares of another master key and stays sealed', async () => {
    await call('POST', '/api/v1/keystore/seal');
    const foreign = await split(new Uint8Array(randomBytes(32)), 3, 3);
    let last;
    for (const share of foreign) {
      last = await call('POST', '/api/v1/keystore/unseal', {
        share: `tlks1-${Buffer.from(share).toString('base64url')}`,
      });
    }
    assert.equal(last!.json().code, 'ERR_UNSEAL_FAILED');
    assert.equal((await call('GET', '/api/v1/keystore')).json().sealed, true);
    for (const share of shares.slice(0, 3)) await call('POST', '/api/v1/keystore/unseal', { share });
    assert.equal((await call('GET', '/api/v1/keystore')).json().sealed, false);
  });

  it('seals on demand: every operation stops', async () => {
    const id = await createKey('last-key', 'hmac-sha256', 'mac');
    await call('POST', '/api/v1/keystore/seal');
    const response = await call('POST', `/api/v1/keys/${id}/mac`, { input: b64('x') });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json().code, 'ERR_SEALED');
  });
});

forEachBackend('CPM key operations', (backend, overrides, engine) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(engine, overrides);
  });
  after(() => t.close());

  const { call, createKey } = keyApi(() => t, backend);

  it('signs with every asymmetric type, verifiable by OpenSSL through node:crypto', async () => {
    const cases: [string, string, string][] = [
      ['rsa-2048', 'RS256', 'sha256'],
      ['rsa-2048', 'PS256', 'sha256'],
      ['ec-p256', 'ES256', 'sha256'],
      ['ec-p384', 'ES384', 'sha384'],
      ['ed25519', 'EdDSA', ''],
    ];
    const message = Buffer.from(
      '{"transferId":"b51ec534-ee48-4575-b6a9-ead2955b8069","amount":{"amount":"100","currency":"USD"}}',
    );
    for (const [type, algorithm, hash] of cases) {
      const id = await createKey(`sig-${type}-${algorithm}`, type, 'sign');
      const signed = await call('POST', `/api/v1/keys/${id}/sign`, { input: b64(message), algorithm });
      assert.equal(signed.statusCode, 200, signed.body);
      const { signature, keyVersion } = signed.json();
      assert.match(signature, /^tl:v1:/);
      assert.equal(keyVersion, 1);
      const pem = (await call('GET', `/api/v1/keys/${id}/public-key`)).json().pem;
      const raw = Buffer.from(signature.slice(6), 'base64url');
      const key = createPublicKey(pem);
      const options =
        algorithm === 'PS256'
          ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
          : algorithm.startsWith('ES')
            ? { key, dsaEncoding: 'ieee-p1363' as const }
            : key;
      assert.ok(verify(hash || null, message, options, raw), `${type} ${algorithm} signature does not verify`);
      const checked = await call('POST', `/api/v1/keys/${id}/verify`, { input: b64(message), signature, algorithm });
      assert.equal(checked.json().valid, true);
      const forged = await call('POST', `/api/v1/keys/${id}/verify`, { input: b64('other'), signature, algorithm });
      assert.equal(forged.json().valid, false);
    }
  });

  it('signs a precomputed digest so that OpenSSL verifies it over the message', async () => {
    const document = randomBytes(100_000);
    const cases: [string, string, string][] = [
      ['rsa-2048', 'RS256', 'sha256'],
      ['ec-p256', 'ES256', 'sha256'],
      ['ec-p384', 'ES384', 'sha384'],
    ];
    for (const [type, algorithm, hash] of cases) {
      const id = await createKey(`digest-${type}`, type, 'sign');
      const digest = createHash(hash).update(document).digest();
      const signed = await call('POST', `/api/v1/keys/${id}/sign`, {
        input: b64(digest),
        algorithm,
        prehashed: true,
      });
      assert.equal(signed.statusCode, 200, signed.body);
      const { signature } = signed.json();
      const key = createPublicKey((await call('GET', `/api/v1/keys/${id}/public-key`)).json().pem);
      const options = algorithm === 'RS256' ? key : { key, dsaEncoding: 'ieee-p1363' as const };
      assert.ok(verify(hash, document, options, Buffer.from(signature.slice(6), 'base64url')), `${algorithm} digest`);
      const check = (input: Buffer) =>
        call('POST', `/api/v1/keys/${id}/verify`, { input: b64(input), signature, algorithm, prehashed: true });
      assert.equal((await check(digest)).json().valid, true);
      assert.equal((await check(createHash(hash).update('other').digest())).json().valid, false);
      const byMessage = await call('POST', `/api/v1/keys/${id}/verify`, {
        input: b64(document),
        signature,
        algorithm,
      });
      assert.equal(byMessage.json().valid, true, 'a digest signature is an ordinary signature of the message');
    }
    const rsa = await createKey('digest-pss', 'rsa-2048', 'sign');
    const digest = createHash('sha256').update(document).digest();
    const pss = await call('POST', `/api/v1/keys/${rsa}/sign`, {
      input: b64(digest),
      algorithm: 'PS256',
      prehashed: true,
    });
    assert.deepEqual([pss.statusCode, pss.json().code], [400, 'ERR_PREHASH_UNSUPPORTED']);
    const short = await call('POST', `/api/v1/keys/${rsa}/sign`, { input: b64(digest.subarray(1)), prehashed: true });
    assert.deepEqual([short.statusCode, short.json().code], [400, 'ERR_VALIDATION']);
  });

  it('encrypts with AES-256-GCM bound to its AAD, across rotation and the minimum version', async () => {
    const id = await createKey('data-key', 'aes-256-gcm', 'encrypt');
    const v1 = (
      await call('POST', `/api/v1/keys/${id}/encrypt`, {
        plaintext: b64('PAN 4111111111111111'),
        aad: b64('transfer-1'),
      })
    ).json();
    assert.match(v1.ciphertext, /^tl:v1:/);
    const decrypt = (ciphertext: string, aad?: string) =>
      call('POST', `/api/v1/keys/${id}/decrypt`, { ciphertext, ...(aad ? { aad: b64(aad) } : {}) });
    assert.equal(
      Buffer.from((await decrypt(v1.ciphertext, 'transfer-1')).json().plaintext, 'base64').toString(),
      'PAN 4111111111111111',
    );
    assert.equal((await decrypt(v1.ciphertext, 'transfer-2')).json().code, 'ERR_DECRYPTION_FAILED');
    assert.equal((await decrypt(v1.ciphertext)).json().code, 'ERR_DECRYPTION_FAILED');
    const flipped = v1.ciphertext.slice(0, -2) + (v1.ciphertext.endsWith('A') ? 'BA' : 'AA');
    assert.equal((await decrypt(flipped, 'transfer-1')).json().code, 'ERR_DECRYPTION_FAILED');
    assert.equal((await decrypt('tl:v9:AAAA', 'transfer-1')).statusCode, 404);

    const rotated = await call('POST', `/api/v1/keys/${id}/rotate`);
    assert.equal(rotated.json().latestVersion, 2);
    const v2 = (await call('POST', `/api/v1/keys/${id}/encrypt`, { plaintext: b64('later') })).json();
    assert.match(v2.ciphertext, /^tl:v2:/);
    assert.equal((await decrypt(v1.ciphertext, 'transfer-1')).statusCode, 200, 'rotation must not orphan version 1');
    await call('PATCH', `/api/v1/keys/${id}`, { minDecryptionVersion: 2 });
    assert.equal((await decrypt(v1.ciphertext, 'transfer-1')).json().code, 'ERR_VERSION_TOO_OLD');
    assert.equal((await decrypt(v2.ciphertext)).statusCode, 200);
  });

  it('issues envelope data keys and rewraps old ciphertexts to the latest version', async () => {
    const id = await createKey('envelope', 'aes-256-gcm', 'wrap');
    const issued = (await call('POST', `/api/v1/keys/${id}/datakey`, {})).json();
    assert.equal(Buffer.from(issued.plaintext, 'base64').length, 32);
    const opened = (await call('POST', `/api/v1/keys/${id}/decrypt`, { ciphertext: issued.ciphertext })).json();
    assert.equal(opened.plaintext, issued.plaintext);
    const wrappedOnly = (await call('POST', `/api/v1/keys/${id}/datakey`, { wrappedOnly: true })).json();
    assert.equal(wrappedOnly.plaintext, undefined);

    const v1 = (
      await call('POST', `/api/v1/keys/${id}/encrypt`, { plaintext: b64('settlement file'), aad: b64('batch-7') })
    ).json();
    await call('POST', `/api/v1/keys/${id}/rotate`);
    const rewrapped = await call('POST', `/api/v1/keys/${id}/rewrap`, {
      ciphertext: v1.ciphertext,
      aad: b64('batch-7'),
    });
    assert.equal(rewrapped.statusCode, 200, rewrapped.body);
    assert.match(rewrapped.json().ciphertext, /^tl:v2:/);
    assert.ok(!rewrapped.body.includes(b64('settlement file')), 'rewrap revealed the plaintext');
    const back = (
      await call('POST', `/api/v1/keys/${id}/decrypt`, {
        ciphertext: rewrapped.json().ciphertext,
        aad: b64('batch-7'),
      })
    ).json();
    assert.equal(Buffer.from(back.plaintext, 'base64').toString(), 'settlement file');
    const wrongAad = await call('POST', `/api/v1/keys/${id}/rewrap`, {
      ciphertext: v1.ciphertext,
      aad: b64('batch-8'),
    });
    assert.equal(wrongAad.json().code, 'ERR_DECRYPTION_FAILED');

    const random = (await call('POST', '/api/v1/random', { bytes: 48 })).json().random;
    assert.equal(Buffer.from(random, 'base64').length, 48);
    assert.equal((await call('POST', '/api/v1/random', { bytes: 4096 })).statusCode, 400);
  });

  it('encrypts with RSA-OAEP-256 and computes HMACs checked in constant time', async () => {
    const rsa = await createKey('wrap-rsa', 'rsa-3072', 'wrap');
    const sealed = await call('POST', `/api/v1/keys/${rsa}/encrypt`, { plaintext: b64('a data key') });
    if (backend === 'pkcs11') {
      // SoftHSM2 2.6 has no RSA-OAEP with SHA-256; it is refused, never padded outside the token.
      assert.deepEqual([sealed.statusCode, sealed.json().code], [409, 'ERR_HSM_UNSUPPORTED']);
    } else {
      const opened = await call('POST', `/api/v1/keys/${rsa}/decrypt`, { ciphertext: sealed.json().ciphertext });
      assert.equal(Buffer.from(opened.json().plaintext, 'base64').toString(), 'a data key');
    }

    const mac = await createKey('mac-key', 'hmac-sha256', 'mac');
    const tag = (await call('POST', `/api/v1/keys/${mac}/mac`, { input: b64('msisdn:255712345678') })).json().mac;
    assert.equal(
      (await call('POST', `/api/v1/keys/${mac}/verify-mac`, { input: b64('msisdn:255712345678'), mac: tag })).json()
        .valid,
      true,
    );
    assert.equal(
      (await call('POST', `/api/v1/keys/${mac}/verify-mac`, { input: b64('msisdn:255700000000'), mac: tag })).json()
        .valid,
      false,
    );
  });

  it('signs, verifies, encrypts and decrypts in batches, reporting a bad item in its place', async () => {
    const signer = await createKey('batch-signer', 'ec-p256', 'sign');
    const inputs = ['quote-1', 'quote-2', 'quote-3'].map((text) => ({ input: b64(text) }));
    const signed = await call('POST', `/api/v1/keys/${signer}/sign/batch`, { items: inputs });
    assert.equal(signed.statusCode, 200, signed.body);
    const signatures = signed.json().results.map((r: { signature: string }) => r.signature);
    assert.equal(signatures.length, 3);
    const checked = await call('POST', `/api/v1/keys/${signer}/verify/batch`, {
      items: [
        { input: b64('quote-1'), signature: signatures[0] },
        { input: b64('quote-2'), signature: signatures[0] },
        { input: b64('quote-3'), signature: 'tl:v7:AAAA' },
      ],
    });
    const [good, swapped, unknownVersion] = checked.json().results;
    assert.deepEqual([good.valid, swapped.valid, unknownVersion.error.code], [true, false, 'ERR_NOT_FOUND']);
    const signEvents = await t.app.audit.list({ limit: 10, action: 'key.sign', resourceId: signer });
    assert.equal(signEvents.length, 3, 'each item is audited as its own operation');

    const box = await createKey('batch-box', 'aes-256-gcm', 'encrypt');
    const sealed = (
      await call('POST', `/api/v1/keys/${box}/encrypt/batch`, {
        items: [{ plaintext: b64('first'), aad: b64('t1') }, { plaintext: b64('second') }],
      })
    ).json().results;
    const opened = (
      await call('POST', `/api/v1/keys/${box}/decrypt/batch`, {
        items: [
          { ciphertext: sealed[0].ciphertext, aad: b64('t1') },
          { ciphertext: sealed[1].ciphertext },
          { ciphertext: sealed[0].ciphertext, aad: b64('t2') },
        ],
      })
    ).json().results;
    assert.deepEqual(
      opened.map((r: { plaintext?: string; error?: { code: string } }) =>
        r.plaintext ? Buffer.from(r.plaintext, 'base64').toString() : r.error!.code,
      ),
      ['first', 'second', 'ERR_DECRYPTION_FAILED'],
    );

    const wholeBatch = await call('POST', `/api/v1/keys/${signer}/encrypt/batch`, {
      items: [{ plaintext: b64('x') }],
    });
    assert.deepEqual([wholeBatch.statusCode, wholeBatch.json().code], [400, 'ERR_WRONG_PURPOSE']);
    const tooMany = Array.from({ length: 1001 }, () => ({ input: b64('x') }));
    assert.equal((await call('POST', `/api/v1/keys/${signer}/sign/batch`, { items: tooMany })).statusCode, 400);
    assert.equal((await call('POST', `/api/v1/keys/${signer}/sign/batch`, { items: [] })).statusCode, 400);
  });

  it('refuses the wrong purpose, a disabled key, a foreign owner and roles outside the policy', async () => {
    assert.equal(
      (await call('POST', '/api/v1/keys', { name: 'bad', type: 'ec-p256', purpose: 'encrypt' })).statusCode,
      400,
    );
    const id = await createKey('policy-key', 'ec-p256', 'sign');
    const wrong = await call('POST', `/api/v1/keys/${id}/encrypt`, { plaintext: b64('x') });
    assert.equal(wrong.json().code, 'ERR_WRONG_PURPOSE');
    const [denied] = await t.app.audit.list({ limit: 1, action: 'key.encrypt' });
    assert.deepEqual([denied!.outcome, denied!.errorCode, denied!.resource.id], ['denied', 'ERR_WRONG_PURPOSE', id]);

    assert.equal((await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('x') }, 'auditor')).statusCode, 403);
    const participantUse = await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('x') }, 'participant');
    assert.equal(participantUse.statusCode, 404, 'a hub key is invisible to a participant');

    await call('PATCH', `/api/v1/keys/${id}`, { status: 'disabled' });
    assert.equal((await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('x') })).json().code, 'ERR_KEY_DISABLED');
    await call('PATCH', `/api/v1/keys/${id}`, { status: 'enabled' });
    assert.equal((await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('x') })).statusCode, 200);
  });

  it('destroys a key only after its waiting period, and can cancel before', async () => {
    const id = await createKey('doomed', 'aes-256-gcm', 'encrypt');
    const sealed = (await call('POST', `/api/v1/keys/${id}/encrypt`, { plaintext: b64('last words') })).json();
    const scheduled = await call('POST', `/api/v1/keys/${id}/schedule-destruction`, { waitingPeriodDays: 7 });
    assert.equal(scheduled.json().status, 'destroy-scheduled');
    const refused = await call('POST', `/api/v1/keys/${id}/encrypt`, { plaintext: b64('x') });
    assert.deepEqual([refused.statusCode, refused.json().code], [410, 'ERR_KEY_DESTROYED']);
    assert.equal((await call('POST', `/api/v1/keys/${id}/cancel-destruction`)).json().status, 'disabled');
    await call('PATCH', `/api/v1/keys/${id}`, { status: 'enabled' });
    assert.equal((await call('POST', `/api/v1/keys/${id}/decrypt`, { ciphertext: sealed.ciphertext })).statusCode, 200);

    await call('POST', `/api/v1/keys/${id}/schedule-destruction`, {});
    const early = await call('POST', `/api/v1/keys/${id}/destroy`);
    assert.deepEqual([early.statusCode, early.json().code], [409, 'ERR_CONFLICT']);
    await t.app.rawSql(`update cpm_keys set destroy_after = '2000-01-01T00:00:00.000Z' where id = '${id}'`);
    const destroyed = await call('POST', `/api/v1/keys/${id}/destroy`);
    assert.equal(destroyed.json().status, 'destroyed', destroyed.body);
    const detail = (await call('GET', `/api/v1/keys/${id}`)).json();
    assert.ok(detail.versions.every((v: { destroyedAt: string | null }) => v.destroyedAt !== null));
    const material = await t.app.database.db
      .selectFrom('cpm_key_versions')
      .select('material')
      .where('key_id', '=', id)
      .execute();
    assert.deepEqual(material, [{ material: '' }]);
    const after = await call('POST', `/api/v1/keys/${id}/decrypt`, { ciphertext: sealed.ciphertext });
    assert.equal(after.json().code, 'ERR_KEY_DESTROYED');
    const actions = (await t.app.audit.list({ limit: 20, resourceId: id })).map((e) => e.action);
    assert.ok(actions.includes('key.destruction.schedule') && actions.includes('key.destroy'));
  });

  it('rotates keys past their period and destroys keys past their waiting period, on schedule', async () => {
    const due = (
      await call('POST', '/api/v1/keys', {
        name: 'yearly',
        type: 'ec-p256',
        purpose: 'sign',
        rotationPeriodDays: 365,
      })
    ).json().id as string;
    const fresh = (
      await call('POST', '/api/v1/keys', { name: 'fresh', type: 'ec-p256', purpose: 'sign', rotationPeriodDays: 365 })
    ).json().id as string;
    const doomed = await createKey('expiring', 'hmac-sha256', 'mac');
    await call('POST', `/api/v1/keys/${doomed}/schedule-destruction`, { waitingPeriodDays: 7 });
    await t.app.rawSql(`update cpm_keys set last_rotated_at = '2020-01-01T00:00:00.000Z' where id = '${due}'`);
    await t.app.rawSql(`update cpm_keys set destroy_after = '2000-01-01T00:00:00.000Z' where id = '${doomed}'`);

    const outcome = await t.app.keys.runLifecycle(systemContext());
    assert.ok(outcome.rotated.includes(due) && !outcome.rotated.includes(fresh), JSON.stringify(outcome));
    assert.ok(outcome.destroyed.includes(doomed));
    assert.deepEqual(outcome.failed, []);
    const rotated = (await call('GET', `/api/v1/keys/${due}`)).json().key;
    assert.deepEqual([rotated.latestVersion, rotated.rotationDue], [2, false]);
    assert.equal((await call('GET', `/api/v1/keys/${doomed}`)).json().key.status, 'destroyed');
    const [event] = await t.app.audit.list({ limit: 1, action: 'key.rotate', resourceId: due });
    assert.equal(event!.actor.type, 'system');
    assert.deepEqual(await t.app.keys.runLifecycle(systemContext()), { rotated: [], destroyed: [], failed: [] });
  });

  it('reports the key inventory with strength and rotation compliance', async () => {
    const weak = (
      await call('POST', '/api/v1/keys', {
        name: 'legacy-rsa',
        type: 'rsa-2048',
        purpose: 'sign',
        rotationPeriodDays: 365,
      })
    ).json();
    await t.app.rawSql(`update cpm_keys set last_rotated_at = '2020-01-01T00:00:00.000Z' where id = '${weak.id}'`);
    const report = (await call('GET', '/api/v1/keys/inventory', undefined, 'auditor')).json();
    const entry = report.keys.find((k: { id: string }) => k.id === weak.id);
    assert.deepEqual(
      [entry.strengthBits, entry.rotationCompliant, entry.owner, entry.backend],
      [112, false, 'hub', backend],
    );
    assert.ok(report.summary.rotationOverdue >= 1);
    assert.ok(report.summary.below128Bits >= 1);
    assert.equal(report.summary.total, report.keys.length);
    const mine = (await call('GET', '/api/v1/keys/inventory', undefined, 'other-participant')).json();
    assert.ok(
      mine.keys.every((k: { owner: string }) => k.owner === 'dfsp-b'),
      'a participant sees only its own keys',
    );
  });

  it("keeps a participant's keys to that participant", async () => {
    const created = await call(
      'POST',
      '/api/v1/keys',
      { name: 'dfsp-a-jws', type: 'ec-p256', purpose: 'sign' },
      'participant',
    );
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().ownerParticipantId, PARTICIPANT_A);
    const id = created.json().id;
    assert.equal(
      (await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('quote') }, 'participant')).statusCode,
      200,
    );
    assert.equal((await call('GET', `/api/v1/keys/${id}`, undefined, 'other-participant')).statusCode, 404);
    assert.equal(
      (await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('x') }, 'other-participant')).statusCode,
      404,
    );
    const theirs = (await call('GET', '/api/v1/keys', undefined, 'other-participant')).json().items;
    assert.deepEqual(theirs, []);
    const forOther = await call(
      'POST',
      '/api/v1/keys',
      { name: 'x', type: 'ec-p256', purpose: 'sign', ownerParticipantId: 'dfsp-b' },
      'participant',
    );
    assert.equal(forOther.statusCode, 403);
  });

  it('reports versions, usage counts and the public key as JWK; audits operations without data', async () => {
    const id = await createKey('inventory-key', 'ec-p256', 'sign');
    await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('secret payload one') });
    await call('POST', `/api/v1/keys/${id}/sign`, { input: b64('secret payload two') });
    const detail = (await call('GET', `/api/v1/keys/${id}`, undefined, 'auditor')).json();
    assert.equal(detail.usage.sign, 2);
    assert.equal(detail.versions.length, 1);
    assert.equal(detail.key.rotationDue, false);
    const jwk = (await call('GET', `/api/v1/keys/${id}/public-key?format=jwk`)).json().jwk;
    assert.deepEqual([jwk.kty, jwk.crv, jwk.kid], ['EC', 'P-256', `${id}.v1`]);
    assert.equal(jwk.d, undefined);
    const events = JSON.stringify(await t.app.audit.list({ limit: 10, action: 'key.sign', resourceId: id }));
    assert.ok(!events.includes(b64('secret payload one')));
    const [event] = await t.app.audit.list({ limit: 1, action: 'key.sign', resourceId: id });
    assert.deepEqual(event!.details, { version: 1 });
  });
});
