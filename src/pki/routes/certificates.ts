import type { Api } from '../../core/http.js';
import type { PkiService } from '../service.js';
import type { CertificateRow } from '../store.js';
import {
  CertificateDetail,
  CertificateList,
  CertificateQuery,
  ChainList,
  ChainView,
  ExpiringQuery,
  ExpiringReport,
  HubIssue,
  IdParams,
  RevokeBody,
  UploadChain,
} from '../schemas.js';
import { certificateView, chainView } from '../views.js';

const tags = ['pki'];

export async function certificateDetail(pki: PkiService, row: CertificateRow) {
  return {
    certificate: certificateView(row, pki.clock),
    certificatePem: row.certificate_pem,
    chainPem: await pki.cas.chainPem(row.ca_id),
  };
}

export function certificateRoutes(app: Api, pki: PkiService): void {
  app.get(
    '/api/v1/pki/certificates',
    {
      config: { access: { permission: 'pki:read' } },
      schema: {
        tags,
        summary: 'List issued certificates',
        querystring: CertificateQuery,
        response: { 200: CertificateList },
      },
    },
    async (request) => {
      const { rows, total } = await pki.listCertificates(request.ctx, {
        participantId: request.query.participantId,
        profile: request.query.profile,
        status: request.query.status,
        caId: request.query.caId,
        limit: request.query.limit ?? 100,
        offset: request.query.offset ?? 0,
      });
      return { items: rows.map((row) => certificateView(row, pki.clock)), total };
    },
  );

  app.get(
    '/api/v1/pki/certificates/expiring',
    {
      config: { access: { permission: 'pki:read' } },
      schema: {
        tags,
        summary: 'Valid certificates expiring within N days, grouped per participant and profile',
        querystring: ExpiringQuery,
        response: { 200: ExpiringReport },
      },
    },
    async (request) => {
      const report = await pki.expiring(request.ctx, request.query.withinDays ?? 30, {
        participantId: request.query.participantId,
        profile: request.query.profile,
      });
      return { ...report, certificates: report.certificates.map((row) => certificateView(row, pki.clock)) };
    },
  );

  app.post(
    '/api/v1/pki/certificates/hub',
    {
      config: { access: { permission: 'pki:approve' } },
      schema: {
        tags,
        summary: 'Issue a hub certificate whose key is generated in the CPM (or renew one with overlap)',
        body: HubIssue,
        response: { 201: CertificateDetail },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await certificateDetail(pki, await pki.issueForHub(request.ctx, request.body))),
  );

  app.get(
    '/api/v1/pki/certificates/:id',
    {
      config: { access: { permission: 'pki:read' } },
      schema: {
        tags,
        summary: 'One certificate with its PEM and chain',
        params: IdParams,
        response: { 200: CertificateDetail },
      },
    },
    async (request) => certificateDetail(pki, await pki.certificate(request.ctx, request.params.id)),
  );

  app.post(
    '/api/v1/pki/certificates/:id/revoke',
    {
      config: { access: { permission: 'pki:revoke' } },
      schema: {
        tags,
        summary: 'Revoke with an RFC 5280 reason; the CRL is reissued and OCSP answers revoked at once',
        params: IdParams,
        body: RevokeBody,
        response: { 200: CertificateDetail },
      },
    },
    async (request) =>
      certificateDetail(pki, await pki.revocation.revoke(request.ctx, request.params.id, request.body.reason)),
  );

  app.post(
    '/api/v1/pki/chains',
    {
      config: { access: { permission: 'pki:enrol' } },
      schema: {
        tags,
        summary: "Upload a participant's own CA chain for its outbound mTLS; every link is validated",
        body: UploadChain,
        response: { 201: ChainView },
      },
    },
    async (request, reply) => reply.code(201).send(chainView(await pki.chains.upload(request.ctx, request.body))),
  );

  app.get(
    '/api/v1/pki/chains',
    {
      config: { access: { permission: 'pki:read' } },
      schema: { tags, summary: "Participants' uploaded CA chains", response: { 200: ChainList } },
    },
    async (request) => ({ items: (await pki.chains.list(request.ctx)).map(chainView) }),
  );
}
