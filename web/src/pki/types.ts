import type { paths } from '../api/schema.js';

type Body<Operation, Status extends number = 200> = Operation extends {
  responses: { [S in Status]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
type JsonBody<Operation> = Operation extends { requestBody: { content: { 'application/json': infer T } } } ? T : never;

export type Ca = Body<paths['/api/v1/pki/cas']['get']>['items'][number];
export type NewCa = JsonBody<paths['/api/v1/pki/cas']['post']>;
export type CaKeyType = NewCa['keyType'];
export type CrlInfo = Body<paths['/api/v1/pki/cas/{id}/crl']['get']>;

export type SubmitCsr = JsonBody<paths['/api/v1/pki/enrolments']['post']>;
export type ValidationReport = Body<paths['/api/v1/pki/enrolments/validate']['post']>;
export type Check = ValidationReport['checks'][number];
export type CheckStatus = Check['status'];
export type Enrolment = Body<paths['/api/v1/pki/enrolments/{id}']['get']>;
export type EnrolmentStatus = NonNullable<
  NonNullable<paths['/api/v1/pki/enrolments']['get']['parameters']['query']>['status']
>;

export type CertificateDetail = Body<paths['/api/v1/pki/certificates/{id}']['get']>;
export type Certificate = CertificateDetail['certificate'];
export type RevocationReason = JsonBody<paths['/api/v1/pki/certificates/{id}/revoke']['post']>['reason'];
export type ExpiringReport = Body<paths['/api/v1/pki/certificates/expiring']['get']>;

export type ImportCa = JsonBody<paths['/api/v1/pki/cas/import']['post']>;
export type NewCaRequest = JsonBody<paths['/api/v1/pki/cas/requests']['post']>;
export type CaRequest = Body<paths['/api/v1/pki/cas/requests/{id}']['get']>;

export type Domain = Body<paths['/api/v1/pki/participants/{participantId}/domains']['get']>['items'][number];
