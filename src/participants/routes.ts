import type { Api } from '../core/http.js';
import type { ParticipantService } from './service.js';
import {
  CreateParticipant,
  Participant,
  ParticipantList,
  ParticipantParams,
  ParticipantQuery,
  ReplaceContacts,
  UpdateParticipant,
} from './schemas.js';

const tags = ['participants'];

export function participantRoutes(app: Api, participants: ParticipantService): void {
  app.get(
    '/api/v1/participants',
    {
      config: { access: { permission: 'participants:read' } },
      schema: {
        tags,
        summary: 'List participants visible to the caller',
        querystring: ParticipantQuery,
        response: { 200: ParticipantList },
      },
    },
    (request) => participants.list(request.ctx, request.query),
  );

  app.post(
    '/api/v1/participants',
    {
      config: { access: { permission: 'participants:write' } },
      schema: { tags, summary: 'Register the hub or a DFSP', body: CreateParticipant, response: { 201: Participant } },
    },
    async (request, reply) => reply.code(201).send(await participants.create(request.ctx, request.body)),
  );

  app.get(
    '/api/v1/participants/:id',
    {
      config: { access: { permission: 'participants:read' } },
      schema: { tags, summary: 'Read one participant', params: ParticipantParams, response: { 200: Participant } },
    },
    (request) => participants.get(request.ctx, request.params.id),
  );

  app.patch(
    '/api/v1/participants/:id',
    {
      config: { access: { permission: 'participants:write' } },
      schema: {
        tags,
        summary: 'Rename, suspend or reactivate a participant',
        params: ParticipantParams,
        body: UpdateParticipant,
        response: { 200: Participant },
      },
    },
    (request) => participants.update(request.ctx, request.params.id, request.body),
  );

  app.put(
    '/api/v1/participants/:id/security-contacts',
    {
      config: { access: { permission: 'participants:contacts' } },
      schema: {
        tags,
        summary: "Replace a participant's security contacts (a participant may edit its own)",
        params: ParticipantParams,
        body: ReplaceContacts,
        response: { 200: Participant },
      },
    },
    (request) => participants.replaceContacts(request.ctx, request.params.id, request.body.securityContacts),
  );
}
