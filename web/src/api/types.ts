import type { paths } from './schema.js';

/** The JSON body of an operation's success response. */
type Body<Operation, Status extends number = 200> = Operation extends {
  responses: { [S in Status]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type Whoami = Body<paths['/api/v1/session']['get']>;

export type ParticipantList = Body<paths['/api/v1/participants']['get']>;
export type Participant = ParticipantList['items'][number];
export type NewParticipant = paths['/api/v1/participants']['post']['requestBody']['content']['application/json'];
export type SecurityContact = Participant['securityContacts'][number];

export type AuditEventPage = Body<paths['/api/v1/audit/events']['get']>;
export type AuditEvent = AuditEventPage['items'][number];
export type AuditOutcome = AuditEvent['outcome'];
export type Verification = Body<paths['/api/v1/audit/verifications']['post']>;
