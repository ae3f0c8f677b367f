import type { Api } from '../core/http.js';
import type { FspiopRequest } from './message.js';
import type { FspiopService } from './service.js';
import {
  DecryptBody,
  DecryptResult,
  EncryptBody,
  EncryptResult,
  IlpCheckBody,
  IlpCheckResult,
  IlpDecodeBody,
  IlpDecodeResult,
  IlpFulfilBody,
  IlpFulfilResult,
  IlpQuoteBody,
  IlpQuoteResult,
  SignBody,
  SignResult,
  VerifyBody,
  VerifyResult,
  type HttpRequest,
} from './schemas.js';

const tags = ['fspiop'];
const use = { access: { permission: 'fspiop:use' } };

const toRequest = (request: HttpRequest): FspiopRequest => ({
  method: request.method,
  uri: request.uri,
  headers: request.headers,
  body: Buffer.from(request.body, 'utf8'),
});

/** FSPIOP message operations: JWS signatures, JWE fields, ILP. */
export function fspiopRoutes(app: Api, fspiop: FspiopService): void {
  app.post(
    '/api/v1/fspiop/sign',
    {
      config: use,
      schema: {
        tags,
        summary:
          'Sign an FSPIOP request with a CPM key: returns the FSPIOP-Signature header (and FSPIOP-URI, FSPIOP-HTTP-Method)',
        body: SignBody,
        response: { 200: SignResult },
      },
    },
    (request) => fspiop.sign(request.ctx, request.body.keyId, toRequest(request.body.request), request.body.algorithm),
  );

  app.post(
    '/api/v1/fspiop/verify',
    {
      config: use,
      schema: {
        tags,
        summary:
          "Verify an FSPIOP request's signature against the sender's registered certificate; a failure is a 400 naming the reason",
        body: VerifyBody,
        response: { 200: VerifyResult },
      },
    },
    async (request) => {
      const verified = await fspiop.verify(request.ctx, toRequest(request.body.request));
      return {
        valid: true as const,
        source: verified.source,
        destination: verified.destination,
        algorithm: verified.algorithm,
        certificateId: verified.certificateId,
      };
    },
  );

  app.post(
    '/api/v1/fspiop/encrypt',
    {
      config: use,
      schema: {
        tags,
        summary: "Encrypt fields of a JSON body to the recipient's encryption certificate (RSA-OAEP-256 + A256GCM)",
        body: EncryptBody,
        response: { 200: EncryptResult },
      },
    },
    (request) => fspiop.encrypt(request.ctx, request.body.recipient, request.body.body, request.body.fields),
  );

  app.post(
    '/api/v1/fspiop/decrypt',
    {
      config: use,
      schema: {
        tags,
        summary: 'Decrypt the fields an FSPIOP-Encryption header lists, with an RSA CPM key',
        body: DecryptBody,
        response: { 200: DecryptResult },
      },
    },
    (request) => fspiop.decrypt(request.ctx, request.body.keyId, request.body.body, request.body.encryption),
  );

  app.post(
    '/api/v1/fspiop/ilp/quote',
    {
      config: use,
      schema: {
        tags,
        summary: "The payee's ILP v4 packet and condition for a quote, from its HMAC key",
        body: IlpQuoteBody,
        response: { 200: IlpQuoteResult },
      },
    },
    (request) =>
      fspiop.ilpQuote(request.ctx, request.body.keyId, request.body.quoteRequest, request.body.quoteResponse),
  );

  app.post(
    '/api/v1/fspiop/ilp/fulfil',
    {
      config: use,
      schema: {
        tags,
        summary: 'Regenerate the fulfilment of an ILP packet this HMAC key made',
        body: IlpFulfilBody,
        response: { 200: IlpFulfilResult },
      },
    },
    (request) => fspiop.ilpFulfil(request.ctx, request.body.keyId, request.body.ilpPacket),
  );

  app.post(
    '/api/v1/fspiop/ilp/check',
    {
      config: use,
      schema: {
        tags,
        summary: 'Check a fulfilment against a condition (SHA-256 preimage)',
        body: IlpCheckBody,
        response: { 200: IlpCheckResult },
      },
    },
    (request) => fspiop.ilpCheck(request.ctx, request.body.fulfilment, request.body.condition),
  );

  app.post(
    '/api/v1/fspiop/ilp/decode',
    {
      config: use,
      schema: {
        tags,
        summary: 'Decode an ILP v4 Prepare packet and the FSPIOP transaction it carries',
        body: IlpDecodeBody,
        response: { 200: IlpDecodeResult },
      },
    },
    (request) => fspiop.ilpDecode(request.body.ilpPacket),
  );
}
