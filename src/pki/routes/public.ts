import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Api } from '../../core/http.js';
import { TrustloopError } from '../../core/errors.js';
import { readCertificatesPem } from '../x509/certificate.js';
import { toPem } from '../x509/build.js';
import type { PkiService } from '../service.js';
import { CaFileParams } from '../schemas.js';

const tags = ['pki-public'];
const OCSP_REQUEST = 'application/ocsp-request';
const OCSP_MAX_BYTES = 16 * 1024;
/** Base64 of a DER OCSP request in the GET form (RFC 6960 appendix A.1), after URL decoding. */
const OCSP_GET = Type.Object({ '*': Type.String({ minLength: 4, maxLength: 4096 }) }, { additionalProperties: false });

/**
 * What relying parties fetch without credentials: CRLs (DER and PEM), CA certificates (the AIA
 * caIssuers URL) and the OCSP responder (POST, and GET with the request in the path).
 */
export function publicPkiRoutes(app: Api, pki: PkiService): void {
  app.addContentTypeParser(OCSP_REQUEST, { parseAs: 'buffer', bodyLimit: OCSP_MAX_BYTES }, (_request, body, done) =>
    done(null, body),
  );

  app.get(
    '/pki/crl/:file',
    {
      config: { access: { public: true } },
      schema: { tags, summary: 'Current CRL of a CA: <caId>.crl (DER) or <caId>.pem', params: CaFileParams },
    },
    async (request, reply) => {
      const [caId, ext] = request.params.file.split('.') as [string, string];
      if (ext === 'crt') throw new TrustloopError('ERR_NOT_FOUND', 'CRLs are served as .crl or .pem');
      const crl = await pki.revocation.currentCrl(request.ctx, caId);
      const der = Buffer.from(crl.der, 'base64');
      const maxAge = Math.max(0, Math.floor((Date.parse(crl.next_update) - pki.clock.now().getTime()) / 1000) - 21_600);
      reply.header('cache-control', `public, max-age=${Math.min(maxAge, 3600)}`);
      return ext === 'pem'
        ? reply.type('application/x-pem-file').send(toPem(der, 'X509 CRL'))
        : reply.type('application/pkix-crl').send(der);
    },
  );

  app.get(
    '/pki/ca/:file',
    {
      config: { access: { public: true } },
      schema: { tags, summary: 'A CA certificate: <caId>.crt (DER) or <caId>.pem', params: CaFileParams },
    },
    async (request, reply) => {
      const [caId, ext] = request.params.file.split('.') as [string, string];
      if (ext === 'crl') throw new TrustloopError('ERR_NOT_FOUND', 'CA certificates are served as .crt or .pem');
      const ca = await pki.cas.get(caId);
      if (ext === 'pem') return reply.type('application/x-pem-file').send(ca.certificate_pem);
      return reply.type('application/pkix-cert').send(readCertificatesPem(ca.certificate_pem, 'CA')[0]!.der);
    },
  );

  app.post(
    '/pki/ocsp',
    {
      config: { access: { public: true } },
      bodyLimit: OCSP_MAX_BYTES,
      schema: {
        tags,
        summary: 'OCSP responder (RFC 6960): a DER OCSPRequest as application/ocsp-request',
        consumes: [OCSP_REQUEST],
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body))
        throw new TrustloopError('ERR_UNSUPPORTED_MEDIA_TYPE', `send the DER request as ${OCSP_REQUEST}`);
      return sendOcsp(reply, await pki.ocsp.respond(request.body), false);
    },
  );

  app.get(
    '/pki/ocsp/*',
    {
      config: { access: { public: true } },
      schema: { tags, summary: 'OCSP responder, GET form: base64 of the DER request in the path', params: OCSP_GET },
    },
    async (request, reply) => {
      const encoded = request.params['*'];
      const der = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
      return sendOcsp(reply, await pki.ocsp.respond(der), true);
    },
  );
}

function sendOcsp(reply: FastifyReply, der: Buffer, cacheable: boolean) {
  // RFC 5019: GET responses may be cached by intermediaries; POST ones are not.
  reply.header('cache-control', cacheable ? 'public, max-age=300, no-transform' : 'no-store');
  return reply.type('application/ocsp-response').send(der);
}
