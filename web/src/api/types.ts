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

export type KeystoreStatus = Body<paths['/api/v1/keystore']['get']>;

export type KeyList = Body<paths['/api/v1/keys']['get']>;
export type KeyView = KeyList['items'][number];
export type KeyType = KeyView['type'];
export type KeyPurpose = KeyView['purpose'];
export type NewKey = paths['/api/v1/keys']['post']['requestBody']['content']['application/json'];
export type KeyDetail = Body<paths['/api/v1/keys/{id}']['get']>;
export type KeyVersion = KeyDetail['versions'][number];
export type KeyStatusChange = NonNullable<
  paths['/api/v1/keys/{id}']['patch']['requestBody']['content']['application/json']['status']
>;
