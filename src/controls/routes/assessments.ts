import { Type } from 'typebox';
import type { RequestContext } from '../../core/context.js';
import type { Api } from '../../core/http.js';
import type { CollectorService } from '../collectors.js';
import type { EvidenceService } from '../evidence.js';
import { gapReportPdf, gapRows } from '../exports/gaps.js';
import { oscalAssessmentResults, toCsv } from '../reports.js';
import {
  AcceptSuggestions,
  Assessment,
  BinaryFile,
  AssessmentList,
  AssessmentParams,
  AssessmentQuery,
  CollectorList,
  CreateAssessment,
  CsvText,
  EvidenceList,
  EvidenceParams,
  EvidenceQuery,
  EvidenceView,
  GapReport,
  HeatMap,
  LinkEvidence,
  OscalDocument,
  RunCollectors,
  SnapshotList,
  UpdateItems,
  UploadEvidence,
} from '../schemas.js';
import type { ControlsService, EvaluatedAssessment } from '../service.js';
import type { AssessmentRow } from '../store.js';

const tags = ['controls'];
const read = { access: { permission: 'controls:read' } };
const write = { access: { permission: 'controls:write' } };
const assess = { access: { permission: 'controls:assess' } };

export const assessmentHead = (row: AssessmentRow) => ({
  id: row.id,
  catalogUrn: row.catalog_urn,
  participantId: row.participant_id,
  title: row.title,
  status: row.status,
  version: Number(row.version),
  dueDate: row.due_date,
  createdAt: row.created_at,
  createdBy: row.created_by,
  updatedAt: row.updated_at,
  signedOffAt: row.signed_off_at,
  signedOffBy: row.signed_off_by,
});

export function assessmentRoutes(
  app: Api,
  controls: ControlsService,
  evidence: EvidenceService,
  collectors: CollectorService,
): void {
  /** An evaluated assessment as the API shows it; an open one with its mapping-driven suggestions. */
  const view = async (ctx: RequestContext, evaluated: EvaluatedAssessment) => ({
    assessment: assessmentHead(evaluated.assessment),
    summary: evaluated.summary,
    items: evaluated.items,
    suggestions: evaluated.assessment.status === 'open' ? await controls.suggestions.forAssessment(ctx, evaluated) : [],
  });

  app.post(
    '/api/v1/controls/assessments',
    {
      config: write,
      schema: {
        tags,
        summary: 'Start an assessment of one scope against one catalog',
        body: CreateAssessment,
        response: { 201: Assessment },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await view(request.ctx, await controls.createAssessment(request.ctx, request.body))),
  );

  app.get(
    '/api/v1/controls/assessments',
    {
      config: read,
      schema: {
        tags,
        summary: 'Assessments visible to the caller',
        querystring: AssessmentQuery,
        response: { 200: AssessmentList },
      },
    },
    async (request) => ({
      items: (
        await controls.listAssessments(request.ctx, {
          ...(request.query.participantId && { participantId: request.query.participantId }),
          ...(request.query.catalog && { catalogUrn: request.query.catalog }),
        })
      ).map(assessmentHead),
    }),
  );

  app.get(
    '/api/v1/controls/assessments/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'An assessment, every requirement evaluated against live evidence',
        params: AssessmentParams,
        response: { 200: Assessment },
      },
    },
    async (request) => view(request.ctx, await controls.assessment(request.ctx, request.params.id)),
  );

  app.patch(
    '/api/v1/controls/assessments/:id/items',
    {
      config: assess,
      schema: {
        tags,
        summary:
          'Record results, justifications, evidence, assessor, reviewer and due dates (one or many requirements)',
        params: AssessmentParams,
        body: UpdateItems,
        response: { 200: Assessment },
      },
    },
    async (request) =>
      view(request.ctx, await controls.updateItems(request.ctx, request.params.id, request.body.items)),
  );

  app.post(
    '/api/v1/controls/assessments/:id/suggestions/accept',
    {
      config: assess,
      schema: {
        tags,
        summary:
          'Accept the mapping-driven suggestion of unanswered requirements: writes each result with a justification citing its source',
        params: AssessmentParams,
        body: AcceptSuggestions,
        response: { 200: Assessment },
      },
    },
    async (request) =>
      view(request.ctx, await controls.suggestions.accept(request.ctx, request.params.id, request.body.refs)),
  );

  app.post(
    '/api/v1/controls/assessments/:id/sign-off',
    {
      config: write,
      schema: {
        tags,
        summary: 'Sign off: freeze the evaluated assessment as the next numbered snapshot',
        params: AssessmentParams,
        response: { 200: Assessment },
      },
    },
    async (request) => view(request.ctx, await controls.signOff(request.ctx, request.params.id)),
  );

  app.post(
    '/api/v1/controls/assessments/:id/reopen',
    {
      config: write,
      schema: {
        tags,
        summary: 'Reopen a signed-off assessment for the next cycle',
        params: AssessmentParams,
        response: { 200: Assessment },
      },
    },
    async (request) => view(request.ctx, await controls.reopen(request.ctx, request.params.id)),
  );

  app.get(
    '/api/v1/controls/assessments/:id/snapshots',
    {
      config: read,
      schema: {
        tags,
        summary: 'Signed-off snapshots, oldest first',
        params: AssessmentParams,
        response: { 200: SnapshotList },
      },
    },
    async (request) => ({ items: await controls.snapshots(request.ctx, request.params.id) }),
  );

  app.get(
    '/api/v1/controls/assessments/:id/gaps',
    {
      config: read,
      schema: {
        tags,
        summary: 'Gap report: coverage, counts, ranked gaps, trend between snapshots',
        params: AssessmentParams,
        response: { 200: GapReport },
      },
    },
    async (request) => {
      const report = await controls.gapReport(request.ctx, request.params.id);
      return { ...report, assessment: assessmentHead(report.assessment) };
    },
  );

  app.get(
    '/api/v1/controls/assessments/:id/gaps/csv',
    {
      config: read,
      schema: {
        tags,
        summary: 'Ranked gaps as CSV',
        params: AssessmentParams,
        produces: ['text/csv'],
        response: { 200: CsvText },
      },
    },
    async (request, reply) => {
      const report = await controls.gapReport(request.ctx, request.params.id);
      const catalog = controls.registry.get(report.assessment.catalog_urn);
      const csv = toCsv(
        ['rank', 'ref', 'title', 'result', 'basis', 'priority', 'owner', 'assessor', 'due date'],
        gapRows(report.gaps, catalog),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="gaps-${report.assessment.id}.csv"`)
        .send(csv);
    },
  );

  app.get(
    '/api/v1/controls/assessments/:id/gaps/pdf',
    {
      config: read,
      schema: {
        tags,
        summary: 'Gap report as PDF: summary, trend between snapshots, ranked gaps',
        params: AssessmentParams,
        produces: ['application/pdf'],
        response: { 200: BinaryFile },
      },
    },
    async (request, reply) => {
      const report = await controls.gapReport(request.ctx, request.params.id);
      const catalog = controls.registry.get(report.assessment.catalog_urn);
      const pdf = await gapReportPdf(report, catalog, new Date().toISOString());
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="gaps-${report.assessment.id}.pdf"`)
        .send(pdf);
    },
  );

  app.get(
    '/api/v1/controls/assessments/:id/oscal',
    {
      config: read,
      schema: {
        tags,
        summary: 'The assessment as OSCAL assessment results',
        params: AssessmentParams,
        response: { 200: OscalDocument },
      },
    },
    async (request) => {
      const evaluated = await controls.assessment(request.ctx, request.params.id);
      const catalog = controls.registry.get(evaluated.assessment.catalog_urn);
      return oscalAssessmentResults(
        evaluated,
        catalog,
        `/api/v1/controls/assessments/${evaluated.assessment.id}`,
        new Date().toISOString(),
      );
    },
  );

  app.get(
    '/api/v1/controls/heat-map',
    {
      config: read,
      schema: {
        tags,
        summary: 'Participant × catalog compliance of the newest assessments',
        response: { 200: HeatMap },
      },
    },
    async (request) => ({ items: await controls.heatMap(request.ctx) }),
  );

  app.post(
    '/api/v1/controls/evidence/files',
    {
      config: assess,
      schema: {
        tags,
        summary:
          'Upload an evidence file (base64 within the server body limit; PDF, PNG, JPEG or text; checked by content, hashed, never executed)',
        body: UploadEvidence,
        response: { 201: EvidenceView },
      },
    },
    async (request, reply) => reply.code(201).send(await evidence.upload(request.ctx, request.body)),
  );

  app.post(
    '/api/v1/controls/evidence/links',
    {
      config: assess,
      schema: { tags, summary: 'Record a link as evidence', body: LinkEvidence, response: { 201: EvidenceView } },
    },
    async (request, reply) => reply.code(201).send(await evidence.link(request.ctx, request.body)),
  );

  app.get(
    '/api/v1/controls/evidence',
    {
      config: read,
      schema: {
        tags,
        summary: 'Evidence visible to the caller, newest first',
        querystring: EvidenceQuery,
        response: { 200: EvidenceList },
      },
    },
    async (request) => ({ items: await evidence.list(request.ctx, request.query) }),
  );

  app.get(
    '/api/v1/controls/evidence/:id',
    {
      config: read,
      schema: { tags, summary: 'One evidence record', params: EvidenceParams, response: { 200: EvidenceView } },
    },
    async (request) => evidence.get(request.ctx, request.params.id),
  );

  app.get(
    '/api/v1/controls/evidence/:id/content',
    {
      config: read,
      schema: {
        tags,
        summary: 'Download an evidence file (always as an attachment)',
        params: EvidenceParams,
        produces: ['application/octet-stream'],
        response: { 200: Type.Unsafe<unknown>({ type: 'string', description: 'the stored bytes' }) },
      },
    },
    async (request, reply) => {
      const { view: meta, bytes } = await evidence.content(request.ctx, request.params.id);
      return reply
        .type('application/octet-stream')
        .header(
          'content-disposition',
          `attachment; filename="${meta.id}-${meta.fileName!.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
        )
        .header('x-content-sha256', meta.sha256!)
        .send(bytes);
    },
  );

  app.get(
    '/api/v1/controls/collectors',
    {
      config: read,
      schema: {
        tags,
        summary: 'Automated evidence collectors and the requirements each backs',
        response: { 200: CollectorList },
      },
    },
    async () => ({ items: collectors.list() }),
  );

  app.post(
    '/api/v1/controls/collectors/runs',
    {
      config: { access: { permission: 'controls:collect' } },
      schema: {
        tags,
        summary: 'Run every collector (or one) now',
        body: RunCollectors,
        response: { 200: EvidenceList },
      },
    },
    async (request) => ({ items: await collectors.run(request.ctx, request.body.collector) }),
  );
}
