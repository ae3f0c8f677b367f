import type { Api } from '../../core/http.js';
import {
  CertificateList,
  CertificateParams,
  CertificateQuery,
  CertificateView,
  Jwks,
  JwksParams,
  JwksQuery,
  RetireBody,
  UploadCertificate,
} from '../schemas.js';
import type { CertificateRegistry } from './service.js';

const tags = ['fspiop certificates'];
const read = { access: { permission: 'fspiop:certs:read' } };
const write = { access: { permission: 'fspiop:certs:write' } };

/** The participants' JWS / JWE certificate registry and its JWK Sets. */
export function certificateRoutes(app: Api, registry: CertificateRegistry): void {
  app.post(
    '/api/v1/fspiop/certificates',
    {
      config: write,
      schema: {
        tags,
        summary: 'Register a signing (sig) or encryption (enc) certificate; optionally retire the current ones later',
        body: UploadCertificate,
        response: { 201: CertificateView },
      },
    },
    async (request, reply) => reply.code(201).send(await registry.upload(request.ctx, request.body)),
  );

  app.get(
    '/api/v1/fspiop/certificates',
    {
      config: read,
      schema: {
        tags,
        summary: 'List certificates visible to the caller',
        querystring: CertificateQuery,
        response: { 200: CertificateList },
      },
    },
    async (request) => ({ items: await registry.list(request.ctx, request.query) }),
  );

  app.get(
    '/api/v1/fspiop/certificates/:id',
    {
      config: read,
      schema: { tags, summary: 'Read one certificate', params: CertificateParams, response: { 200: CertificateView } },
    },
    (request) => registry.get(request.ctx, request.params.id),
  );

  app.post(
    '/api/v1/fspiop/certificates/:id/retire',
    {
      config: write,
      schema: {
        tags,
        summary: 'Retire a certificate now, or at the end of an overlap window',
        params: CertificateParams,
        body: RetireBody,
        response: { 200: CertificateView },
      },
    },
    (request) => registry.retire(request.ctx, request.params.id, request.body.at),
  );

  app.get(
    '/api/v1/fspiop/participants/:id/jwks',
    {
      config: read,
      schema: {
        tags,
        summary: "A participant's current and upcoming public keys as a JWK Set (readable by every participant)",
        params: JwksParams,
        querystring: JwksQuery,
        response: { 200: Jwks },
      },
    },
    (request) => registry.jwks(request.params.id, request.query.use),
  );
}
