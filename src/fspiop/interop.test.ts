import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { FlattenedEncrypt, flattenedDecrypt } from 'jose';
import { codeIs } from './fixtures/assert.js';
import { keyObjectSigner, keyObjectUnwrapper } from './fixtures/keys.js';
import { SIGNATURE_EXAMPLE_BODY } from './fixtures/vectors.js';
import { decryptFields, encryptFields } from './jwe/fields.js';
import { signFspiopRequest } from './jws/sign.js';
import { verifyFspiopRequest } from './jws/verify.js';
import { fulfilmentMatches, ilpForTransaction, quoteTransaction, decodeIlpPacket } from './ilp/ilp.js';

/** Mojaloop's SDK as a test peer only (CommonJS). */
const require = createRequire(import.meta.url);
const sdk = require('@mojaloop/sdk-standard-components') as {
  Jws: { signer: new (c: unknown) => SdkSigner; validator: new (c: unknown) => SdkValidator };
  Ilp: { ilpFactory: (version: string, options: unknown) => SdkIlp };
};
interface SdkSigner {
  sign(request: { method: string; uri: string; headers: Record<string, string>; body: unknown }): void;
}
interface SdkValidator {
  validate(request: { headers: Record<string, string>; body: unknown }): true;
}
interface SdkIlp {
  getQuoteResponseIlp(q: unknown, r: unknown): { fulfilment: string; condition: string; ilpPacket: string };
  validateFulfil(fulfilment: string, condition: string): boolean;
}

/** The SDK wants a logger with child(); a silent one keeps it from printing request headers. */
const silent = {
  child: () => silent,
  isDebugEnabled: false,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  push: () => silent,
  log: () => undefined,
};

const body = JSON.parse(SIGNATURE_EXAMPLE_BODY) as Record<string, unknown>;
const baseHeaders = () => ({
  'fspiop-source': 'payerfsp',
  'fspiop-destination': 'payeefsp',
  date: 'Tue, 23 May 2017 21:12:31 GMT',
  'content-type': 'application/vnd.interoperability.quotes+json;version=1.1',
});

const keyPairs = {
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  // The SDK picks ES256 only for SEC1 PEM ("BEGIN EC PRIVATE KEY").
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
};

describe('JWS interop with @mojaloop/sdk-standard-components', () => {
  for (const [algorithm, generate] of Object.entries(keyPairs) as [
    keyof typeof keyPairs,
    () => ReturnType<typeof keyPairs.RS256>,
  ][]) {
    it(`${algorithm}: a message the SDK signs verifies in Trustloop`, async () => {
      const { privateKey, publicKey } = generate();
      const pem = privateKey.export({ type: algorithm === 'ES256' ? 'sec1' : 'pkcs1', format: 'pem' }) as string;
      const request = {
        method: 'POST',
        uri: 'http://payeefsp.example/quotes',
        headers: baseHeaders(),
        body: structuredClone(body),
      };
      new sdk.Jws.signer({ signingKey: pem, logger: silent }).sign(request);
      assert.equal(typeof request.body, 'string', 'the SDK sends the body it signed as a string');
      const received = {
        method: 'POST',
        uri: '/quotes',
        headers: request.headers,
        body: Buffer.from(request.body as unknown as string),
      };
      const verified = await verifyFspiopRequest(received, () => [{ id: 'sdk', key: publicKey }]);
      assert.equal(verified.algorithm, algorithm);
      assert.equal(verified.source, 'payerfsp');
      const changed = { ...received, headers: { ...received.headers, 'fspiop-destination': 'elsewhere' } };
      await assert.rejects(
        verifyFspiopRequest(changed, () => [{ id: 'sdk', key: publicKey }]),
        codeIs('ERR_FSPIOP_HEADER_MISMATCH'),
      );
    });

    it(`${algorithm}: a message Trustloop signs passes the SDK's validator`, async () => {
      const { privateKey, publicKey } = generate();
      // The SDK validator re-serialises the parsed body with sorted keys, so send key-sorted JSON.
      const sortedBody = Buffer.from(sortedJson(body));
      const request = { method: 'POST', uri: '/quotes', headers: baseHeaders(), body: sortedBody };
      const { headers } = await signFspiopRequest(request, algorithm, keyObjectSigner(privateKey));
      const sent = { ...request.headers, ...lowerKeys(headers) };
      const validator = new sdk.Jws.validator({
        validationKeys: { payerfsp: publicKey.export({ type: 'spki', format: 'pem' }) },
        logger: silent,
      });
      assert.equal(validator.validate({ headers: sent, body: JSON.parse(sortedBody.toString()) }), true);
      const tampered = { ...sent, 'fspiop-source': 'intruder' };
      assert.throws(() => validator.validate({ headers: tampered, body: JSON.parse(sortedBody.toString()) }));
    });
  }
});

describe('JWE interop with jose', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('decrypts a field jose encrypts (RSA-OAEP-256 + A256GCM)', async () => {
    const jwe = await new FlattenedEncrypt(Buffer.from('16135551212'))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .encrypt(publicKey);
    const header = JSON.stringify({
      encryptedFields: [
        {
          fieldName: 'payer.partyIdInfo.partyIdentifier',
          encryptedKey: jwe.encrypted_key,
          protectedHeader: jwe.protected,
          initializationVector: jwe.iv,
          authenticationTag: jwe.tag,
        },
      ],
    });
    const message = structuredClone(body) as { payer: Party };
    message.payer.partyIdInfo.partyIdentifier = jwe.ciphertext;
    const { body: decrypted } = await decryptFields(message, header, keyObjectUnwrapper(privateKey));
    assert.deepEqual(decrypted, body);
  });

  it('encrypts fields jose decrypts', async () => {
    const { body: encrypted, fields } = await encryptFields(
      body,
      ['payer', 'payee.partyIdInfo.partyIdentifier'],
      publicKey,
    );
    const ciphertexts = [encrypted.payer as string, (encrypted.payee as Party).partyIdInfo.partyIdentifier];
    const opened = await Promise.all(
      fields.map((field, i) =>
        flattenedDecrypt(
          {
            protected: field.protectedHeader,
            encrypted_key: field.encryptedKey,
            iv: field.initializationVector,
            ciphertext: ciphertexts[i]!,
            tag: field.authenticationTag,
          },
          privateKey,
          { keyManagementAlgorithms: ['RSA-OAEP-256'] },
        ),
      ),
    );
    assert.deepEqual(JSON.parse(Buffer.from(opened[0]!.plaintext).toString()), body.payer);
    assert.equal(Buffer.from(opened[1]!.plaintext).toString(), '15295558888');
  });

  it('refuses a field whose tag or ciphertext was changed, without returning plaintext', async () => {
    const { body: encrypted, header } = await encryptFields(body, ['payer'], publicKey);
    const ciphertext = Buffer.from(encrypted.payer as string, 'base64url');
    ciphertext[0]! ^= 1;
    await assert.rejects(
      decryptFields({ ...encrypted, payer: ciphertext.toString('base64url') }, header, keyObjectUnwrapper(privateKey)),
      codeIs('ERR_DECRYPTION_FAILED'),
    );
  });
});

describe('ILP interlock with @mojaloop/sdk-standard-components', () => {
  const quoteRequest = {
    quoteId: '59e331fa-345f-4554-aac8-fcd8833f7d50',
    transactionId: '36629a51-393a-4e3c-b347-c2cb57e1e1fc',
    payee: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '15295558888', fspId: '5678' } },
    payer: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '16135551212', fspId: '1234' }, name: 'Bill Lee' },
    amountType: 'RECEIVE',
    amount: { amount: '150', currency: 'USD' },
    transactionType: { scenario: 'TRANSFER', initiator: 'PAYER', initiatorType: 'CONSUMER' },
  };
  const cases = [
    {
      transferAmount: { amount: '151.5', currency: 'USD' },
      expiration: '2017-05-24T08:40:00.000-04:00',
      note: 'hello',
    },
    { transferAmount: { amount: '1000', currency: 'XOF' }, expiration: '2030-01-01T00:00:00.000Z' },
    { transferAmount: { amount: '0.125', currency: 'BHD' }, expiration: '2030-01-01T00:00:00.000Z' },
  ];
  const secret = 'a scheme secret shared by nobody else';

  for (const quoteResponse of cases) {
    it(`produces the SDK's packet, condition and fulfilment (${quoteResponse.transferAmount.currency})`, async () => {
      const theirs = sdk.Ilp.ilpFactory('v4', { secret, logger: silent }).getQuoteResponseIlp(
        quoteRequest,
        quoteResponse,
      );
      // The SDK's HMAC key is the ASCII of BASE64(secret); Trustloop's is a CPM key: same construction.
      const mac = async (data: Buffer) =>
        createHmac('sha256', Buffer.from(Buffer.from(secret).toString('base64'), 'ascii'))
          .update(data)
          .digest();
      const ours = await ilpForTransaction(quoteTransaction(quoteRequest, quoteResponse), mac);
      assert.deepEqual(ours, theirs);
      assert.ok(fulfilmentMatches(ours.fulfilment, ours.condition));
      assert.ok(sdk.Ilp.ilpFactory('v4', { secret, logger: silent }).validateFulfil(ours.fulfilment, ours.condition));
      assert.equal(decodeIlpPacket(ours.ilpPacket).condition, ours.condition);
    });
  }

  it('refuses a fulfilment that is not the preimage of the condition', async () => {
    const mac = async (data: Buffer) => createHmac('sha256', 'k').update(data).digest();
    const ours = await ilpForTransaction(quoteTransaction(quoteRequest, cases[1]!), mac);
    const other = Buffer.from(ours.fulfilment, 'base64url');
    other[0]! ^= 1;
    assert.equal(fulfilmentMatches(other.toString('base64url'), ours.condition), false);
    assert.equal(fulfilmentMatches('short', ours.condition), false);
  });
});

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const lowerKeys = (headers: object) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

interface Party {
  partyIdInfo: { partyIdentifier: string };
}
