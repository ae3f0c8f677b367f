import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, createHash, publicEncrypt, randomBytes, verify } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import { TrustloopError } from '../../core/errors.js';
import { Pkcs11Keystore, tokenLabelOf } from './pkcs11.js';
import { KEY_TYPES, SIGNATURE_ALGORITHMS, type KeyType, type KeyVersionRef, type SignatureAlgorithm } from './types.js';

const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '1234';
const TOKEN = 'trustloop';
const present = existsSync(MODULE);

if (!present && process.env.CI === 'true') {
  test('SoftHSM2 is installed in CI', () => {
    assert.fail(`${MODULE} is missing: CI must apt-get install softhsm2`);
  });
}

const rejectsWith = (code: string) => (error: unknown) => error instanceof TrustloopError && error.code === code;

const NODE_SIGN: Record<SignatureAlgorithm, (data: Buffer, pem: string, signature: Buffer) => boolean> = {
  RS256: (data, pem, sig) => verify('sha256', data, pem, sig),
  PS256: (data, pem, sig) =>
    verify('sha256', data, { key: pem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig),
  ES256: (data, pem, sig) => verify('sha256', data, { key: pem, dsaEncoding: 'ieee-p1363' }, sig),
  ES384: (data, pem, sig) => verify('sha384', data, { key: pem, dsaEncoding: 'ieee-p1363' }, sig),
  EdDSA: (data, pem, sig) => verify(null, data, pem, sig),
};

describe('Pkcs11Keystore on SoftHSM2', { skip: present ? false : `${MODULE} is not installed` }, () => {
  let dir = '';
  const options = () => ({ module: MODULE, tokenLabel: TOKEN, pin: PIN });

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-softhsm-'));
    const script = path.resolve('scripts/softhsm-token.sh');
    const line = execFileSync('bash', [script, dir], { encoding: 'utf8' });
    const conf = /^export SOFTHSM2_CONF=(.+)$/m.exec(line)?.[1];
    assert.ok(conf, `the token script printed no SOFTHSM2_CONF line: ${line}`);
    // The module reads its configuration when it is initialised, at the first open().
    process.env.SOFTHSM2_CONF = conf;
    // Run twice: the script must keep the token it made.
    assert.equal(execFileSync('bash', [script, dir], { encoding: 'utf8' }), line);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('is sealed until open() has logged in, and sealed again after close()', async () => {
    const keystore = new Pkcs11Keystore(options());
    assert.equal(keystore.sealed, true);
    const ref = { keyId: 'key_sealed', version: 1, type: 'hmac-sha256' as const };
    await assert.rejects(keystore.generate(ref), rejectsWith('ERR_SEALED'));
    await keystore.open();
    assert.equal(keystore.sealed, false);
    await keystore.close();
    assert.equal(keystore.sealed, true);
    await assert.rejects(
      keystore.hmac({ ...ref, material: tokenLabelOf(ref) }, Buffer.from('x')),
      rejectsWith('ERR_SEALED'),
    );
  });

  test('a wrong PIN or an unknown token label is refused clearly, and the keystore stays sealed', async () => {
    const wrongPin = new Pkcs11Keystore({ ...options(), pin: '9999' });
    await assert.rejects(wrongPin.open(), (error: unknown) => {
      assert.ok(error instanceof TrustloopError);
      assert.equal(error.code, 'ERR_UNSEAL_FAILED');
      assert.match(error.message, /rejected the PIN/);
      return true;
    });
    assert.equal(wrongPin.sealed, true);
    const wrongToken = new Pkcs11Keystore({ ...options(), tokenLabel: 'nope' });
    await assert.rejects(wrongToken.open(), /no PKCS#11 token labelled 'nope' \(tokens present: trustloop\)/);
  });

  describe('with an open keystore', () => {
    const keystore = new Pkcs11Keystore(options());
    // An independent session of the test's own, to read back what the keystore left in the token.
    const lib = new pkcs11js.PKCS11();
    let session: pkcs11js.Handle;
    const keys = new Map<KeyType, { ref: KeyVersionRef; pem: string | null }>();
    const types: readonly KeyType[] = KEY_TYPES;

    const objectsLabelled = (label: string): pkcs11js.Handle[] => {
      lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }]);
      const found = lib.C_FindObjects(session, 8);
      lib.C_FindObjectsFinal(session);
      return found;
    };
    const key = (type: KeyType): { ref: KeyVersionRef; pem: string | null } => {
      const entry = keys.get(type);
      assert.ok(entry, `no ${type} key was generated`);
      return entry;
    };

    const openTestSession = (): pkcs11js.Handle => {
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === TOKEN);
      assert.ok(slot);
      return lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    };

    before(async () => {
      await keystore.open();
      lib.load(MODULE);
      try {
        lib.C_Initialize();
      } catch (error) {
        // The keystore initialised the module for the process already; that is expected.
        assert.ok(error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED);
      }
      session = openTestSession();
    });

    after(async () => {
      lib.C_CloseSession(session);
      await keystore.close();
    });

    test('generates every key type inside the token, sensitive and never extractable', async () => {
      for (const type of types) {
        const ref = { keyId: `key_${type}`, version: 1, type };
        const generated = await keystore.generate(ref);
        assert.equal(generated.material, `trustloop:key_${type}:v1`);
        assert.equal(generated.publicKeyPem === null, type === 'aes-256-gcm' || type === 'hmac-sha256', type);
        if (generated.publicKeyPem) assert.match(generated.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
        keys.set(type, { ref: { ...ref, material: generated.material }, pem: generated.publicKeyPem });

        const objects = objectsLabelled(generated.material);
        assert.equal(objects.length, generated.publicKeyPem ? 2 : 1, type);
        for (const handle of objects) {
          const [cls] = lib.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_CLASS }]);
          if (cls?.value.readUInt32LE(0) === pkcs11js.CKO_PUBLIC_KEY) continue;
          const attributes = lib.C_GetAttributeValue(session, handle, [
            { type: pkcs11js.CKA_TOKEN },
            { type: pkcs11js.CKA_PRIVATE },
            { type: pkcs11js.CKA_SENSITIVE },
            { type: pkcs11js.CKA_EXTRACTABLE },
            { type: pkcs11js.CKA_ALWAYS_SENSITIVE },
            { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
          ]);
          assert.deepEqual(
            attributes.map((a) => a.value[0]),
            [1, 1, 1, 0, 1, 1],
            `${type}: token, private, sensitive, not extractable, always sensitive, never extractable`,
          );
          const secretPart = type.startsWith('rsa-') ? pkcs11js.CKA_PRIVATE_EXPONENT : pkcs11js.CKA_VALUE;
          assert.throws(
            () => lib.C_GetAttributeValue(session, handle, [{ type: secretPart }]),
            (error: unknown) =>
              error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_ATTRIBUTE_SENSITIVE,
          );
        }
      }
    });

    test('refuses to generate a version twice', async () => {
      const { ref } = key('ec-p256');
      await assert.rejects(keystore.generate(ref), rejectsWith('ERR_CONFLICT'));
    });

    test('signs in JOSE form; node:crypto verifies each signature with the returned public key', async () => {
      const data = Buffer.from('{"amount":"100.00","currency":"EUR"}');
      for (const type of types) {
        for (const algorithm of SIGNATURE_ALGORITHMS[type] ?? []) {
          const { ref, pem } = key(type);
          assert.ok(pem);
          const signature = await keystore.sign(ref, algorithm, data);
          assert.equal(NODE_SIGN[algorithm](data, pem, signature), true, `${type} ${algorithm}`);
          assert.equal(NODE_SIGN[algorithm](Buffer.from('tampered'), pem, signature), false, `${type} ${algorithm}`);
          if (algorithm === 'ES256') assert.equal(signature.length, 64);
          if (algorithm === 'ES384') assert.equal(signature.length, 96);
        }
      }
      await assert.rejects(keystore.sign(key('ec-p256').ref, 'RS256', data), rejectsWith('ERR_WRONG_PURPOSE'));
    });

    test('runs concurrent calls on its sessions safely', async () => {
      const { ref, pem } = key('ec-p256');
      assert.ok(pem);
      const messages = Array.from({ length: 40 }, (_, i) => Buffer.from(`message ${i}`));
      const [signatures, macs] = await Promise.all([
        Promise.all(messages.map((m) => keystore.sign(ref, 'ES256', m))),
        Promise.all(messages.map((m) => keystore.hmac(key('hmac-sha256').ref, m))),
      ]);
      signatures.forEach((signature, i) => assert.equal(NODE_SIGN.ES256(messages[i]!, pem, signature), true));
      assert.equal(new Set(macs.map((m) => m.toString('hex'))).size, messages.length);
    });

    test('spreads signatures over four sessions; a destruction waits for those before it and refuses those after', async () => {
      const four = new Pkcs11Keystore({ ...options(), sessions: 4 });
      // The token allows one login per process: the suite's keystore steps aside meanwhile.
      await keystore.close();
      await four.open();
      try {
        const ref = { keyId: 'key_sessions', version: 1, type: 'ec-p256' as const };
        const generated = await four.generate(ref);
        const material = { ...ref, material: generated.material };
        const data = Array.from({ length: 64 }, (_, i) => Buffer.from(`payment ${i}`));
        const before = data.map((m) => four.sign(material, 'ES256', m));
        const destroyed = four.destroy(material);
        const afterwards = data.slice(0, 8).map((m) => four.sign(material, 'ES256', m));
        const signatures = await Promise.all(before);
        signatures.forEach((signature, i) =>
          assert.equal(NODE_SIGN.ES256(data[i]!, generated.publicKeyPem!, signature), true),
        );
        await destroyed;
        for (const late of afterwards) await assert.rejects(late, rejectsWith('ERR_KEY_DESTROYED'));
      } finally {
        await four.close();
        await keystore.open();
        session = openTestSession();
      }
    });

    test('AES-256-GCM: round trips with and without AAD; a wrong AAD or a flipped bit fails to decrypt', async () => {
      const { ref } = key('aes-256-gcm');
      const plaintext = Buffer.from('PAN 4111111111111111');
      const aad = Buffer.from('tenant:dfsp-1');
      for (const withAad of [aad, undefined]) {
        const sealed = await keystore.encrypt(ref, plaintext, withAad);
        assert.equal(sealed.length, 12 + plaintext.length + 16);
        assert.deepEqual(await keystore.decrypt(ref, sealed, withAad), plaintext);
      }
      const sealed = await keystore.encrypt(ref, plaintext, aad);
      assert.notDeepEqual(sealed.subarray(0, 12), (await keystore.encrypt(ref, plaintext, aad)).subarray(0, 12));
      await assert.rejects(
        keystore.decrypt(ref, sealed, Buffer.from('tenant:dfsp-2')),
        rejectsWith('ERR_DECRYPTION_FAILED'),
      );
      await assert.rejects(keystore.decrypt(ref, sealed, undefined), rejectsWith('ERR_DECRYPTION_FAILED'));
      for (const index of [0, 12, sealed.length - 1]) {
        const flipped = Buffer.from(sealed);
        flipped[index]! ^= 0x01;
        await assert.rejects(keystore.decrypt(ref, flipped, aad), rejectsWith('ERR_DECRYPTION_FAILED'));
      }
      await assert.rejects(keystore.decrypt(ref, sealed.subarray(0, 20), aad), rejectsWith('ERR_MALFORMED_CIPHERTEXT'));
      // The session is still usable after failed operations.
      assert.deepEqual(await keystore.decrypt(ref, sealed, aad), plaintext);
    });

    test('RSA-OAEP-SHA256 runs in the token or is refused, never padded outside it', async () => {
      const { ref, pem } = key('rsa-2048');
      assert.ok(pem);
      const secret = randomBytes(32);
      const oaep = { key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
      // SoftHSM2 2.6 offers OAEP with SHA-1 only: both directions must refuse with a clear code.
      await assert.rejects(keystore.encrypt(ref, secret, undefined), rejectsWith('ERR_HSM_UNSUPPORTED'));
      await assert.rejects(
        keystore.decrypt(ref, publicEncrypt(oaep, secret), undefined),
        rejectsWith('ERR_HSM_UNSUPPORTED'),
      );
      // The session is still usable afterwards.
      assert.equal((await keystore.sign(ref, 'RS256', secret)).length, 256);
    });

    test('HMAC-SHA256 is deterministic, 32 bytes, and differs per key', async () => {
      const { ref } = key('hmac-sha256');
      const data = Buffer.from('callback body');
      const mac = await keystore.hmac(ref, data);
      assert.equal(mac.length, 32);
      assert.deepEqual(await keystore.hmac(ref, data), mac);
      assert.notDeepEqual(await keystore.hmac(ref, Buffer.from('callback bodY')), mac);
      assert.notDeepEqual(mac, createHash('sha256').update(data).digest());

      const other = { keyId: 'key_hmac_2', version: 1, type: 'hmac-sha256' as const };
      const second = { ...other, material: (await keystore.generate(other)).material };
      assert.notDeepEqual(await keystore.hmac(second, data), mac);
      await assert.rejects(keystore.hmac(key('aes-256-gcm').ref, data), rejectsWith('ERR_WRONG_PURPOSE'));
    });

    test('refuses material that is not the token object of this key and version', async () => {
      const { ref } = key('ec-p256');
      await assert.rejects(
        keystore.sign(
          { ...ref, material: tokenLabelOf({ keyId: 'key_ec-p384', version: 1 }) },
          'ES256',
          Buffer.from('x'),
        ),
        rejectsWith('ERR_KEY_POLICY'),
      );
    });

    test('finds its keys by label after a restart', async () => {
      await keystore.close();
      await keystore.open();
      // Closing the keystore finalised the module, and with it this test's own session.
      session = openTestSession();
      const { ref, pem } = key('ec-p256');
      const data = Buffer.from('after restart');
      assert.equal(NODE_SIGN.ES256(data, pem!, await keystore.sign(ref, 'ES256', data)), true);
      const aes = key('aes-256-gcm').ref;
      assert.deepEqual(await keystore.decrypt(aes, await keystore.encrypt(aes, data, undefined), undefined), data);
    });

    test('destroy deletes the token objects; a later use fails with ERR_KEY_DESTROYED', async () => {
      for (const type of ['rsa-2048', 'aes-256-gcm'] as const) {
        const { ref } = key(type);
        assert.ok(objectsLabelled(ref.material).length > 0);
        await keystore.destroy(ref);
        assert.equal(objectsLabelled(ref.material).length, 0, type);
        await keystore.destroy(ref);
      }
      await assert.rejects(keystore.sign(key('rsa-2048').ref, 'RS256', Buffer.from('x')), (error: unknown) => {
        assert.ok(error instanceof TrustloopError);
        assert.equal(error.code, 'ERR_KEY_DESTROYED');
        assert.match(error.message, /trustloop:key_rsa-2048:v1/);
        return true;
      });
      await assert.rejects(
        keystore.encrypt(key('aes-256-gcm').ref, Buffer.from('x'), undefined),
        rejectsWith('ERR_KEY_DESTROYED'),
      );
    });
  });
});
