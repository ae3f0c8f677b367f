import { Type } from 'typebox';
import type { Api } from '../../core/http.js';
import type { Catalog, Requirement } from '../catalog/model.js';
import { matrixPdf, matrixXlsx } from '../exports/responsibility.js';
import { oscalCatalog, oscalProfile, toCsv } from '../reports.js';
import {
  BinaryFile,
  CatalogDetail,
  CatalogList,
  CatalogParams,
  CatalogSummary,
  ClearOverrideQuery,
  CsvText,
  Hosting,
  ImportCatalog,
  OscalDocument,
  ParticipantParams,
  RequirementDetail,
  RequirementParams,
  ResponsibilityMatrix,
  ScopeQuery,
  SetHosting,
  SetResponsibility,
} from '../schemas.js';
import type { ControlsService } from '../service.js';

const tags = ['controls'];
const read = { access: { permission: 'controls:read' } };
const write = { access: { permission: 'controls:write' } };

export const catalogSummary = (catalog: Catalog) => ({
  urn: catalog.urn,
  framework: catalog.framework,
  name: catalog.name,
  version: catalog.version,
  published: catalog.published,
  source: catalog.source,
  origin: catalog.origin,
  requirements: catalog.requirements.length,
  assessable: catalog.requirements.filter((requirement) => requirement.assessable).length,
});

const requirementView = (requirement: Requirement) => ({ ...requirement });

export function catalogRoutes(app: Api, controls: ControlsService): void {
  app.get(
    '/api/v1/controls/catalogs',
    {
      config: read,
      schema: { tags, summary: 'Catalogs in force (built-in and imported)', response: { 200: CatalogList } },
    },
    async () => ({ items: controls.registry.list().map(catalogSummary) }),
  );

  app.get(
    '/api/v1/controls/catalogs/:catalog',
    {
      config: read,
      schema: {
        tags,
        summary: 'One catalog with every requirement',
        params: CatalogParams,
        response: { 200: CatalogDetail },
      },
    },
    async (request) => {
      const catalog = controls.registry.get(request.params.catalog);
      return { catalog: catalogSummary(catalog), requirements: catalog.requirements.map(requirementView) };
    },
  );

  app.get(
    '/api/v1/controls/catalogs/:catalog/requirements/:ref',
    {
      config: read,
      schema: {
        tags,
        summary: 'One requirement and the requirements of other catalogs mapped to it',
        params: RequirementParams,
        response: { 200: RequirementDetail },
      },
    },
    async (request) => {
      const { catalog, ref } = request.params;
      return {
        requirement: requirementView(controls.registry.requirement(catalog, ref)),
        related: controls.registry.related(catalog, ref),
      };
    },
  );

  app.post(
    '/api/v1/controls/catalogs',
    {
      config: write,
      schema: {
        tags,
        summary: 'Import a catalog from OSCAL catalog JSON or a CISO Assistant library YAML',
        body: ImportCatalog,
        response: { 201: CatalogSummary },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(catalogSummary(await controls.importCatalog(request.ctx, request.body.format, request.body.content))),
  );

  app.get(
    '/api/v1/controls/catalogs/:catalog/oscal',
    {
      config: read,
      schema: {
        tags,
        summary: 'The catalog as an OSCAL catalog',
        params: CatalogParams,
        response: { 200: OscalDocument },
      },
    },
    async (request) => oscalCatalog(controls.registry.get(request.params.catalog), new Date().toISOString()),
  );

  app.get(
    '/api/v1/controls/catalogs/:catalog/responsibility',
    {
      config: read,
      schema: {
        tags,
        summary: 'Responsibility matrix: scheme-wide, or effective for one participant (a participant sees its own)',
        params: CatalogParams,
        querystring: ScopeQuery,
        response: { 200: ResponsibilityMatrix },
      },
    },
    async (request) => {
      const { hosted, rows } = await controls.responsibility(
        request.ctx,
        request.params.catalog,
        request.query.participantId,
      );
      const participantId = request.ctx.actor.participantId ?? request.query.participantId ?? null;
      return { catalogUrn: request.params.catalog, participantId, hosted, items: rows };
    },
  );

  app.get(
    '/api/v1/controls/catalogs/:catalog/responsibility/csv',
    {
      config: read,
      schema: {
        tags,
        summary: 'Responsibility matrix as CSV',
        params: CatalogParams,
        querystring: ScopeQuery,
        produces: ['text/csv'],
        response: { 200: CsvText },
      },
    },
    async (request, reply) => {
      const catalog = controls.registry.get(request.params.catalog);
      const { rows } = await controls.responsibility(request.ctx, catalog.urn, request.query.participantId);
      const csv = toCsv(
        ['ref', 'title', 'party', 'hub duty', 'participant duty', 'reason', 'origin'],
        rows.map((row) => [
          row.ref,
          catalog.byRef.get(row.ref)!.title,
          row.party,
          row.hubDuty,
          row.participantDuty,
          row.reason,
          row.origin,
        ]),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="responsibility-${catalog.framework}.csv"`)
        .send(csv);
    },
  );

  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  for (const format of ['xlsx', 'pdf'] as const) {
    app.get(
      `/api/v1/controls/catalogs/:catalog/responsibility/${format}`,
      {
        config: read,
        schema: {
          tags,
          summary:
            format === 'xlsx'
              ? 'Responsibility matrix as XLSX: scheme-wide, overrides and requirement × participant grid'
              : 'Responsibility matrix as PDF: scheme-wide, participants and their overrides',
          params: CatalogParams,
          querystring: ScopeQuery,
          produces: [format === 'xlsx' ? XLSX : 'application/pdf'],
          response: { 200: BinaryFile },
        },
      },
      async (request, reply) => {
        const book = await controls.matrixBook(request.ctx, request.params.catalog, request.query.participantId);
        const bytes = format === 'xlsx' ? await matrixXlsx(book) : await matrixPdf(book);
        const suffix = book.participants.length === 1 ? `-${book.participants[0]!.id}` : '';
        return reply
          .type(format === 'xlsx' ? XLSX : 'application/pdf')
          .header(
            'content-disposition',
            `attachment; filename="responsibility-${book.catalog.framework}${suffix}.${format}"`,
          )
          .send(bytes);
      },
    );
  }

  app.get(
    '/api/v1/controls/catalogs/:catalog/profile',
    {
      config: read,
      schema: {
        tags,
        summary: 'OSCAL profile: the requirements one scope carries',
        params: CatalogParams,
        querystring: ScopeQuery,
        response: { 200: OscalDocument },
      },
    },
    async (request) => {
      const catalog = controls.registry.get(request.params.catalog);
      const { rows } = await controls.responsibility(request.ctx, catalog.urn, request.query.participantId);
      const scope = request.ctx.actor.participantId ?? request.query.participantId ?? 'scheme';
      return oscalProfile(
        catalog,
        scope,
        rows,
        `/api/v1/controls/catalogs/${catalog.urn}/oscal`,
        new Date().toISOString(),
      );
    },
  );

  app.put(
    '/api/v1/controls/catalogs/:catalog/responsibility/:ref',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set who carries a requirement, scheme-wide or for one participant',
        params: RequirementParams,
        body: SetResponsibility,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await controls.setResponsibility(request.ctx, request.params.catalog, request.params.ref, request.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/controls/catalogs/:catalog/responsibility/:ref',
    {
      config: write,
      schema: {
        tags,
        summary: "Remove a participant's override (the scheme-wide answer applies again)",
        params: RequirementParams,
        querystring: ClearOverrideQuery,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await controls.clearOverride(
        request.ctx,
        request.params.catalog,
        request.params.ref,
        request.query.participantId,
      );
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/api/v1/controls/participants/:id/hosting',
    {
      config: write,
      schema: {
        tags,
        summary: "Mark a participant as running on the hub's hosted service (it inherits the hub's shared controls)",
        params: ParticipantParams,
        body: SetHosting,
        response: { 200: Hosting },
      },
    },
    async (request) => {
      await controls.setHosted(request.ctx, request.params.id, request.body.hosted);
      return { participantId: request.params.id, hosted: request.body.hosted };
    },
  );
}
