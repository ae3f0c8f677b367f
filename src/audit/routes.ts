import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Api } from '../core/http.js';
import type { AuditService } from './service.js';
import { AuditEvent, AuditEventList, AuditQuery, AuditSeqParams, Verification } from './schemas.js';
import { notFound } from '../core/errors.js';

const tags = ['audit'];

export function auditRoutes(app: Api, audit: AuditService): void {
  app.get(
    '/api/v1/audit/events',
    {
      config: { access: { permission: 'audit:read' } },
      schema: {
        tags,
        summary: 'List audit events, newest first',
        querystring: AuditQuery,
        response: { 200: AuditEventList },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const items = await audit.list({ ...request.query, limit });
      return { items, nextBeforeSeq: items.length === limit ? items[items.length - 1]!.seq : null };
    },
  );

  app.get(
    '/api/v1/audit/events/:seq',
    {
      config: { access: { permission: 'audit:read' } },
      schema: { tags, summary: 'Read one audit event', params: AuditSeqParams, response: { 200: AuditEvent } },
    },
    async (request) => {
      const event = await audit.get(request.params.seq);
      if (!event) throw notFound('audit event', String(request.params.seq));
      return event;
    },
  );

  app.post(
    '/api/v1/audit/verifications',
    {
      config: { access: { permission: 'audit:verify' } },
      schema: {
        tags,
        summary: 'Recompute the hash chain and report the first broken link',
        response: { 200: Verification },
      },
    },
    async (request) => {
      const result = await audit.verify();
      await audit.record(request.ctx, {
        action: 'audit.verify',
        resource: { type: 'audit-trail' },
        outcome: result.ok ? 'success' : 'failure',
        details: { checked: result.checked, firstBadSeq: result.firstBadSeq, reason: result.reason },
      });
      return result;
    },
  );

  app.get(
    '/api/v1/audit/export',
    {
      config: { access: { permission: 'audit:export' } },
      schema: {
        tags,
        summary: 'Every event in sequence order as NDJSON, hashes included, for offline verification',
        produces: ['application/x-ndjson'],
        response: { 200: Type.Unsafe<unknown>({ type: 'string', description: 'one audit event (JSON) per line' }) },
      },
    },
    async (request, reply) => {
      await audit.record(request.ctx, { action: 'audit.export', resource: { type: 'audit-trail' } });
      reply.type('application/x-ndjson');
      return reply.send(Readable.from(ndjson(audit.export())));
    },
  );
}

async function* ndjson(events: AsyncIterable<unknown>): AsyncGenerator<string> {
  for await (const event of events) yield `${JSON.stringify(event)}\n`;
}
