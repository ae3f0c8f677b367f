import { Type } from 'typebox';
import type { RequestContext } from '../../core/context.js';
import { notFound } from '../../core/errors.js';
import type { Api } from '../../core/http.js';
import type { DomainRow } from '../domains.js';
import type { PkiService } from '../service.js';
import { DomainItemParams, DomainList, DomainParams, DomainView, RegisterDomain } from '../schemas.js';

const tags = ['pki'];

const domainView = (row: DomainRow) => ({
  domain: row.domain,
  participantId: row.participant_id,
  registeredBy: row.registered_by,
  createdAt: row.created_at,
});

/** A participant's token sees only its own participant; another's answers as if it did not exist. */
function ownOnly(ctx: RequestContext, participantId: string): void {
  if (ctx.actor.participantId !== null && ctx.actor.participantId !== participantId)
    throw notFound('participant', participantId);
}

export function domainRoutes(app: Api, pki: PkiService): void {
  app.get(
    '/api/v1/pki/participants/:participantId/domains',
    {
      config: { access: { permission: 'pki:read' } },
      schema: {
        tags,
        summary: "The DNS domains registered to a participant, which its certificates' names must lie under",
        params: DomainParams,
        response: { 200: DomainList },
      },
    },
    async (request) => {
      ownOnly(request.ctx, request.params.participantId);
      return { items: (await pki.domains.list(request.params.participantId)).map(domainView) };
    },
  );

  app.post(
    '/api/v1/pki/participants/:participantId/domains',
    {
      config: { access: { permission: 'pki:manage' } },
      schema: {
        tags,
        summary: 'Register a DNS domain the participant owns (checked out of band by the officer)',
        params: DomainParams,
        body: RegisterDomain,
        response: { 201: DomainView },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(domainView(await pki.domains.register(request.ctx, request.params.participantId, request.body.domain))),
  );

  app.delete(
    '/api/v1/pki/participants/:participantId/domains/:domain',
    {
      config: { access: { permission: 'pki:manage' } },
      schema: {
        tags,
        summary: 'Remove a registered domain; certificates already issued are not revoked',
        params: DomainItemParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await pki.domains.remove(request.ctx, request.params.participantId, request.params.domain);
      return reply.code(204).send(null);
    },
  );
}
