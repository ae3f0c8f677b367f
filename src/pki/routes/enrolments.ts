import type { Api } from '../../core/http.js';
import type { PkiService } from '../service.js';
import {
  ApproveResult,
  CertificateDetail,
  EnrolmentList,
  EnrolmentQuery,
  EnrolmentView,
  IdParams,
  RejectBody,
  SubmitCsr,
  ValidationReport,
} from '../schemas.js';
import { enrolmentView } from '../views.js';
import { certificateDetail } from './certificates.js';

const tags = ['pki'];

export function enrolmentRoutes(app: Api, pki: PkiService): void {
  app.post(
    '/api/v1/pki/enrolments/validate',
    {
      config: { access: { permission: 'pki:enrol' } },
      schema: {
        tags,
        summary: 'Validate a CSR for a profile without submitting it: each check VALID, INVALID or NOT_AVAILABLE',
        body: SubmitCsr,
        response: { 200: ValidationReport },
      },
    },
    async (request) => {
      const report = await pki.enrolments.validate(request.ctx, request.body);
      return { ...report, valid: report.checks.every((c) => c.status !== 'INVALID') };
    },
  );

  app.post(
    '/api/v1/pki/enrolments',
    {
      config: { access: { permission: 'pki:enrol' } },
      schema: {
        tags,
        summary: 'Submit a CSR (PEM) for a profile; queued for officer approval if every check passes',
        body: SubmitCsr,
        response: { 201: EnrolmentView },
      },
    },
    async (request, reply) =>
      reply.code(201).send(enrolmentView(await pki.enrolments.submit(request.ctx, request.body))),
  );

  app.get(
    '/api/v1/pki/enrolments',
    {
      config: { access: { permission: 'pki:read' } },
      schema: { tags, summary: 'The enrolment queue', querystring: EnrolmentQuery, response: { 200: EnrolmentList } },
    },
    async (request) => {
      const { rows, total } = await pki.enrolments.list(request.ctx, {
        status: request.query.status,
        participantId: request.query.participantId,
        limit: request.query.limit ?? 100,
        offset: request.query.offset ?? 0,
      });
      return { items: rows.map(enrolmentView), total };
    },
  );

  app.get(
    '/api/v1/pki/enrolments/:id',
    {
      config: { access: { permission: 'pki:read' } },
      schema: { tags, summary: 'Read one enrolment', params: IdParams, response: { 200: EnrolmentView } },
    },
    async (request) => enrolmentView(await pki.enrolments.get(request.ctx, request.params.id)),
  );

  app.post(
    '/api/v1/pki/enrolments/:id/approve',
    {
      config: { access: { permission: 'pki:approve' } },
      schema: {
        tags,
        summary: 'Approve an enrolment; the last approval needed issues the certificate and chain',
        params: IdParams,
        response: { 200: ApproveResult },
      },
    },
    async (request) => {
      const { enrolment, certificate } = await pki.enrolments.approve(request.ctx, request.params.id);
      return {
        enrolment: enrolmentView(enrolment),
        certificate: certificate ? await certificateDetail(pki, certificate) : null,
      };
    },
  );

  app.post(
    '/api/v1/pki/enrolments/:id/reject',
    {
      config: { access: { permission: 'pki:approve' } },
      schema: {
        tags,
        summary: 'Reject an enrolment with a reason',
        params: IdParams,
        body: RejectBody,
        response: { 200: EnrolmentView },
      },
    },
    async (request) => enrolmentView(await pki.enrolments.reject(request.ctx, request.params.id, request.body.reason)),
  );

  app.post(
    '/api/v1/pki/certificates',
    {
      config: { access: { permission: 'pki:approve' } },
      schema: {
        tags,
        summary: "Issue from a CSR at once (an officer's own decision; refused under dual control)",
        body: SubmitCsr,
        response: { 201: CertificateDetail },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await certificateDetail(pki, await pki.enrolments.issueNow(request.ctx, request.body))),
  );
}
