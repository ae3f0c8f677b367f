import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { compactDecrypt, flattenedVerify } from 'jose';
import { codeIs } from './fixtures/assert.js';
import { keyObjectSigner, keyObjectUnwrapper } from './fixtures/keys.js';
import {
  ENCRYPTION_EXAMPLE_BODY,
  ENCRYPTION_EXAMPLE_ENCRYPTED_KEYS,
  ENCRYPTION_EXAMPLE_IVS,
  ENCRYPTION_EXAMPLE_JWK_AS_PRINTED,
  ENCRYPTION_EXAMPLE_PROTECTED_HEADER,
  ENCRYPTION_TABLE3_PROTECTED_HEADER,
  RFC7515_A2,
  RFC7515_A3,
  RFC7515_PAYLOAD,
  RFC7516_A1,
  SIGNATURE_EXAMPLE_BODY,
  SIGNATURE_EXAMPLE_HEADERS,
  SIGNATURE_EXAMPLE_JWK,
  SIGNATURE_EXAMPLE_PAYLOAD,
  SIGNATURE_EXAMPLE_PROTECTED_HEADER,
  SIGNATURE_EXAMPLE_SIGNATURE,
} from './fixtures/vectors.js';
import { decryptField, decryptFields, encryptFields } from './jwe/fields.js';
import { protectedHeaderFor, signFspiopRequest, signingInput } from './jws/sign.js';
import { verifyFspiopRequest } from './jws/verify.js';

const big = (b64url: string) => BigInt(`0x${Buffer.from(b64url, 'base64url').toString('hex')}`);
const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');

/** The one repair the Encryption example's key needs: the stray hyphen at a line break in `p`. */
const ENCRYPTION_JWK = {
  ...ENCRYPTION_EXAMPLE_JWK_AS_PRINTED,
  p: ENCRYPTION_EXAMPLE_JWK_AS_PRINTED.p.replace('SWxkbk-moEz', 'SWxkbkmoEz'),
};

const exampleRequest = (body: string) => ({
  method: 'POST',
  uri: '/quotes',
  headers: SIGNATURE_EXAMPLE_HEADERS,
  body: Buffer.from(body, 'utf8'),
});

describe('Mojaloop Signature document, worked example', () => {
  const privateKey = createPrivateKey({ key: SIGNATURE_EXAMPLE_JWK as JsonWebKey, format: 'jwk' });

  it('has a sound RSA key (p·q = n)', () => {
    const { n, p, q } = SIGNATURE_EXAMPLE_JWK;
    assert.equal(big(p) * big(q), big(n));
  });

  it('reproduces the protected header and its BASE64URL byte for byte', () => {
    const header = protectedHeaderFor(exampleRequest(SIGNATURE_EXAMPLE_BODY), 'RS256');
    assert.equal(b64(JSON.stringify(header)), SIGNATURE_EXAMPLE_PROTECTED_HEADER);
  });

  it('reproduces the intact prefix of the BASE64URL payload; the rest encodes an older body', () => {
    const published = Buffer.from(SIGNATURE_EXAMPLE_PAYLOAD, 'base64url').toString('utf8');
    // The payload is the compact form of the body in the key order the Encryption document shows,
    // up to `extensionList`, which it still writes in the API 1.0 shape (an array).
    const compact = JSON.stringify(JSON.parse(ENCRYPTION_EXAMPLE_BODY));
    const common = [...compact].findIndex((char, i) => char !== published[i]);
    assert.equal(common, 399);
    assert.ok(published.slice(common).startsWith('[{"value":"value1"'));
    const intact = Math.floor(common / 3) * 4;
    assert.equal(b64(compact.slice(0, common)).slice(0, intact), SIGNATURE_EXAMPLE_PAYLOAD.slice(0, intact));
    assert.equal(Buffer.from(SIGNATURE_EXAMPLE_PAYLOAD, 'base64url').length, 975);
  });

  it('publishes a 254-byte signature, which no 2048-bit key can make; a real one verifies', async () => {
    assert.equal(Buffer.from(SIGNATURE_EXAMPLE_SIGNATURE, 'base64url').length, 254);
    const publicKey = createPublicKey(privateKey);
    const input = signingInput(SIGNATURE_EXAMPLE_PROTECTED_HEADER, Buffer.from(SIGNATURE_EXAMPLE_PAYLOAD, 'base64url'));
    const signature = await keyObjectSigner(privateKey)(input, 'RS256');
    assert.equal(signature.length, 256);
    const jws = { protected: SIGNATURE_EXAMPLE_PROTECTED_HEADER, payload: SIGNATURE_EXAMPLE_PAYLOAD };
    await flattenedVerify({ ...jws, signature: b64(signature) }, publicKey);
    await assert.rejects(flattenedVerify({ ...jws, signature: SIGNATURE_EXAMPLE_SIGNATURE }, publicKey));
  });

  it('signs and verifies the example request over its exact body bytes', async () => {
    const request = exampleRequest(SIGNATURE_EXAMPLE_BODY);
    const { headers } = await signFspiopRequest(request, 'RS256', keyObjectSigner(privateKey));
    assert.equal(JSON.parse(headers['FSPIOP-Signature']).protectedHeader, SIGNATURE_EXAMPLE_PROTECTED_HEADER);
    const key = [{ id: 'example', key: createPublicKey(privateKey) }];
    const signed = { ...request, headers: { ...request.headers, ...headers } };
    const verified = await verifyFspiopRequest(signed, () => key);
    assert.equal(verified.source, '1234');
    // The same JSON re-serialised (as a proxy that parses and re-writes would) no longer verifies.
    const reserialised = { ...signed, body: Buffer.from(JSON.stringify(JSON.parse(SIGNATURE_EXAMPLE_BODY))) };
    await assert.rejects(
      verifyFspiopRequest(reserialised, () => key),
      codeIs('ERR_FSPIOP_SIGNATURE_INVALID'),
    );
  });
});

describe('RFC 7515 Appendix A', () => {
  it('A.2: reproduces the RS256 signature exactly through the signing-input path', async () => {
    const privateKey = createPrivateKey({ key: SIGNATURE_EXAMPLE_JWK as JsonWebKey, format: 'jwk' });
    assert.equal(b64(RFC7515_PAYLOAD), RFC7515_A2.payload);
    assert.equal(b64('{"alg":"RS256"}'), RFC7515_A2.protected);
    const signature = await keyObjectSigner(privateKey)(
      signingInput(RFC7515_A2.protected, Buffer.from(RFC7515_PAYLOAD)),
      'RS256',
    );
    assert.equal(b64(signature), RFC7515_A2.signature);
    await flattenedVerify(RFC7515_A2, createPublicKey(privateKey), { algorithms: ['RS256'] });
  });

  it('A.3: verifies the ES256 signature, and refuses it once a bit changes', async () => {
    const publicKey = createPublicKey({ key: RFC7515_A3.jwk as JsonWebKey, format: 'jwk' });
    const jws = { protected: RFC7515_A3.protected, payload: RFC7515_A2.payload, signature: RFC7515_A3.signature };
    const { payload } = await flattenedVerify(jws, publicKey, { algorithms: ['ES256'] });
    assert.equal(Buffer.from(payload).toString(), RFC7515_PAYLOAD);
    const tampered = Buffer.from(RFC7515_A3.signature, 'base64url');
    tampered[10]! ^= 1;
    await assert.rejects(flattenedVerify({ ...jws, signature: b64(tampered) }, publicKey));
  });
});

describe('Mojaloop Encryption document, worked example, and RFC 7516 A.1', () => {
  it('has a stray hyphen in p as printed: p·q ≠ n until it is removed, then p·q = n', () => {
    const { n, q } = ENCRYPTION_EXAMPLE_JWK_AS_PRINTED;
    assert.notEqual(big(ENCRYPTION_EXAMPLE_JWK_AS_PRINTED.p) * big(q), big(n));
    assert.equal(big(ENCRYPTION_JWK.p) * big(q), big(n));
  });

  it('RFC 7516 A.1: decrypts RSA-OAEP + A256GCM with the same (repaired) key, as jose does', async () => {
    const privateKey = createPrivateKey({ key: ENCRYPTION_JWK as JsonWebKey, format: 'jwk' });
    const unwrap = keyObjectUnwrapper(privateKey);
    const cek = await unwrap(Buffer.from(RFC7516_A1.encryptedKey, 'base64url'), 'RSA-OAEP');
    assert.deepEqual([...cek], RFC7516_A1.cek);
    const field = {
      fieldName: 'rfc',
      encryptedKey: RFC7516_A1.encryptedKey,
      protectedHeader: RFC7516_A1.protected,
      initializationVector: RFC7516_A1.iv,
      authenticationTag: RFC7516_A1.tag,
    };
    const plaintext = await decryptField(field, RFC7516_A1.ciphertext, unwrap, ['RSA-OAEP']);
    assert.equal(plaintext.toString('utf8'), RFC7516_A1.plaintext);
    const compact = [
      RFC7516_A1.protected,
      RFC7516_A1.encryptedKey,
      RFC7516_A1.iv,
      RFC7516_A1.ciphertext,
      RFC7516_A1.tag,
    ];
    const byJose = await compactDecrypt(compact.join('.'), privateKey, { keyManagementAlgorithms: ['RSA-OAEP'] });
    assert.equal(Buffer.from(byJose.plaintext).toString('utf8'), RFC7516_A1.plaintext);
    // The FSPIOP default refuses RSA-OAEP (SHA-1): the standard allows only RSA-OAEP-256.
    await assert.rejects(decryptField(field, RFC7516_A1.ciphertext, unwrap), codeIs('ERR_FSPIOP_ENCRYPTION_MALFORMED'));
  });

  it("reproduces the example fields' protected header; table 3's example encodes another algorithm", async () => {
    assert.equal(b64('{"alg":"RSA-OAEP-256","enc":"A256GCM"}'), ENCRYPTION_EXAMPLE_PROTECTED_HEADER);
    assert.equal(
      Buffer.from(ENCRYPTION_TABLE3_PROTECTED_HEADER, 'base64url').toString(),
      '{"alg":"RSA-OAEP","enc":"A256GCM"}',
    );
    const publicKey = createPublicKey({ key: ENCRYPTION_JWK as JsonWebKey, format: 'jwk' });
    const { fields } = await encryptFields(
      JSON.parse(ENCRYPTION_EXAMPLE_BODY),
      ['payer', 'payee.partyIdInfo.partyIdentifier'],
      publicKey,
    );
    assert.deepEqual(
      fields.map((f) => f.protectedHeader),
      [ENCRYPTION_EXAMPLE_PROTECTED_HEADER, ENCRYPTION_EXAMPLE_PROTECTED_HEADER],
    );
  });

  it('publishes encrypted keys that are not 256 bytes and 128-bit IVs that JWA does not allow', async () => {
    for (const key of ENCRYPTION_EXAMPLE_ENCRYPTED_KEYS) assert.notEqual(Buffer.from(key, 'base64url').length, 256);
    for (const iv of ENCRYPTION_EXAMPLE_IVS) assert.equal(Buffer.from(iv, 'base64url').length, 16);
  });

  it('round-trips the example message field by field', async () => {
    const privateKey = createPrivateKey({ key: ENCRYPTION_JWK as JsonWebKey, format: 'jwk' });
    const body = JSON.parse(ENCRYPTION_EXAMPLE_BODY) as Record<string, unknown>;
    for (const fields of [
      ['payer'],
      ['payee.partyIdInfo.partyIdentifier'],
      ['payer', 'payee.partyIdInfo.partyIdentifier'],
    ]) {
      const encrypted = await encryptFields(body, fields, createPublicKey(privateKey));
      for (const name of fields) {
        const value =
          name === 'payer' ? encrypted.body.payer : (encrypted.body.payee as Party).partyIdInfo.partyIdentifier;
        assert.match(String(value), /^[A-Za-z0-9_-]+$/);
      }
      const secrets = fields.map((name) => (name === 'payer' ? '16135551212' : '15295558888'));
      for (const secret of secrets)
        assert.ok(!JSON.stringify(encrypted.body).includes(secret), `${secret} left in clear`);
      const decrypted = await decryptFields(encrypted.body, encrypted.header, keyObjectUnwrapper(privateKey));
      assert.deepEqual(decrypted.body, body);
      assert.deepEqual(decrypted.fieldNames, fields);
    }
  });
});

interface Party {
  partyIdInfo: { partyIdentifier: string };
}
