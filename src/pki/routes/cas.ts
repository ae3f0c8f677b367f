import type { Api } from '../../core/http.js';
import type { PkiService } from '../service.js';
import { crlUrl } from '../context.js';
import {
  CaCertificateBody,
  CaList,
  CaRequestBody,
  CaRequestList,
  CaRequestQuery,
  CaRequestView,
  CaView,
  CreateCa,
  CrlInfo,
  IdParams,
  ImportCa,
  ImportCrlBody,
  RevokeBody,
} from '../schemas.js';
import { caRequestView, caView } from '../views.js';
import { toPem } from '../x509/build.js';
import type { CrlRow } from '../store.js';

const tags = ['pki'];

export function caRoutes(app: Api, pki: PkiService): void {
  app.get(
    '/api/v1/pki/cas',
    {
      config: { access: { permission: 'pki:read' } },
      schema: { tags, summary: 'List the CA hierarchy', response: { 200: CaList } },
    },
    async () => ({ items: (await pki.cas.list()).map(caView) }),
  );

  app.post(
    '/api/v1/pki/cas',
    {
      config: { access: { permission: 'pki:manage' } },
      schema: {
        tags,
        summary: 'Create a root CA or an issuing CA (key generated in the CPM)',
        body: CreateCa,
        response: { 201: CaView },
      },
    },
    async (request, reply) => reply.code(201).send(caView(await pki.createCa(request.ctx, request.body))),
  );

  app.post(
    '/api/v1/pki/cas/import',
    {
      config: { access: { permission: 'pki:manage' } },
      schema: {
        tags,
        summary: 'Import an external CA certificate as a trust anchor (its key stays outside)',
        body: ImportCa,
        response: { 201: CaView },
      },
    },
    async (request, reply) => reply.code(201).send(caView(await pki.importCa(request.ctx, request.body))),
  );

  app.post(
    '/api/v1/pki/cas/requests',
    {
      config: { access: { permission: 'pki:manage' } },
      schema: {
        tags,
        summary: 'Request an issuing CA under an imported external CA: key in the CPM, CSR to be signed outside',
        body: CaRequestBody,
        response: { 201: CaRequestView },
      },
    },
    async (request, reply) =>
      reply.code(201).send(caRequestView(await pki.cas.requestSigned(request.ctx, request.body))),
  );

  app.get(
    '/api/v1/pki/cas/requests',
    {
      config: { access: { permission: 'pki:read' } },
      schema: {
        tags,
        summary: 'List CA requests under external CAs, newest first',
        querystring: CaRequestQuery,
        response: { 200: CaRequestList },
      },
    },
    async (request) => ({ items: (await pki.cas.caRequests(request.query.status)).map(caRequestView) }),
  );

  app.get(
    '/api/v1/pki/cas/requests/:id',
    {
      config: { access: { permission: 'pki:read' } },
      schema: { tags, summary: 'Read a CA request and its CSR', params: IdParams, response: { 200: CaRequestView } },
    },
    async (request) => caRequestView(await pki.cas.caRequest(request.params.id)),
  );

  app.post(
    '/api/v1/pki/cas/requests/:id/certificate',
    {
      config: { access: { permission: 'pki:manage' } },
      schema: {
        tags,
        summary: 'Hand back the certificate the external CA signed; the issuing CA becomes active',
        params: IdParams,
        body: CaCertificateBody,
        response: { 201: CaView },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(caView(await pki.completeCaRequest(request.ctx, request.params.id, request.body.certificatePem))),
  );

  app.get(
    '/api/v1/pki/cas/:id',
    {
      config: { access: { permission: 'pki:read' } },
      schema: { tags, summary: 'Read one CA', params: IdParams, response: { 200: CaView } },
    },
    async (request) => caView(await pki.cas.get(request.params.id)),
  );

  app.post(
    '/api/v1/pki/cas/:id/revoke',
    {
      config: { access: { permission: 'pki:manage' } },
      schema: {
        tags,
        summary: "Revoke a CA this hub signed (an issuing CA): it stops signing and goes on its parent's CRL",
        params: IdParams,
        body: RevokeBody,
        response: { 200: CaView },
      },
    },
    async (request) => caView(await pki.revocation.revokeCa(request.ctx, request.params.id, request.body.reason)),
  );

  app.get(
    '/api/v1/pki/cas/:id/crl',
    {
      config: { access: { permission: 'pki:read' } },
      schema: {
        tags,
        summary: "The CA's current CRL (reissued if close to nextUpdate)",
        params: IdParams,
        response: { 200: CrlInfo },
      },
    },
    async (request) => crlInfo(pki, request.ctx, request.params.id),
  );

  app.post(
    '/api/v1/pki/cas/:id/crl',
    {
      config: { access: { permission: 'pki:manage' } },
      schema: { tags, summary: 'Issue a new CRL now', params: IdParams, response: { 201: CrlInfo } },
    },
    async (request, reply) => {
      await pki.cas.get(request.params.id);
      await pki.revocation.publishCrl(request.ctx, request.params.id);
      return reply.code(201).send(await crlInfo(pki, request.ctx, request.params.id));
    },
  );

  app.post(
    '/api/v1/pki/cas/:id/crl/import',
    {
      config: { access: { permission: 'pki:manage' } },
      schema: {
        tags,
        summary:
          "Import the current CRL of an external CA (PEM or base64 DER): checked against that CA's key, newer than the stored one; the mTLS listener uses it for chains through that CA",
        params: IdParams,
        body: ImportCrlBody,
        response: { 201: CrlInfo },
      },
    },
    async (request, reply) => {
      const crl = await pki.revocation.importCrl(request.ctx, request.params.id, request.body.crl);
      return reply.code(201).send(crlView(pki, crl));
    },
  );
}

async function crlInfo(pki: PkiService, ctx: Parameters<PkiService['revocation']['currentCrl']>[0], caId: string) {
  return crlView(pki, await pki.revocation.currentCrl(ctx, caId));
}

function crlView(pki: PkiService, crl: CrlRow) {
  const caId = crl.ca_id;
  return {
    caId,
    crlNumber: crl.crl_number,
    thisUpdate: crl.this_update,
    nextUpdate: crl.next_update,
    url: crlUrl(pki.config, caId),
    pem: toPem(Buffer.from(crl.der, 'base64'), 'X509 CRL'),
  };
}
