import type { paths } from '../api/schema.js';

type Body<Operation, Status extends number = 200> = Operation extends {
  responses: { [S in Status]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
type JsonBody<Operation> = Operation extends { requestBody: { content: { 'application/json': infer T } } } ? T : never;

export type CatalogSummary = Body<paths['/api/v1/controls/catalogs']['get']>['items'][number];
export type CatalogImport = JsonBody<paths['/api/v1/controls/catalogs']['post']>;
export type CatalogDetail = Body<paths['/api/v1/controls/catalogs/{catalog}']['get']>;
export type Requirement = CatalogDetail['requirements'][number];
export type RequirementDetail = Body<paths['/api/v1/controls/catalogs/{catalog}/requirements/{ref}']['get']>;
export type ResponsibilityMatrix = Body<paths['/api/v1/controls/catalogs/{catalog}/responsibility']['get']>;
export type ResponsibilityEntry = ResponsibilityMatrix['items'][number];
export type Party = ResponsibilityEntry['party'];
export type SetResponsibility = JsonBody<paths['/api/v1/controls/catalogs/{catalog}/responsibility/{ref}']['put']>;

export type Assessment = Body<paths['/api/v1/controls/assessments/{id}']['get']>;
export type AssessmentHead = Assessment['assessment'];
export type AssessmentItem = Assessment['items'][number];
export type AssessmentResult = AssessmentItem['result'];
export type Summary = Assessment['summary'];
export type NewAssessment = JsonBody<paths['/api/v1/controls/assessments']['post']>;
export type ItemChange = JsonBody<paths['/api/v1/controls/assessments/{id}/items']['patch']>['items'][number];
export type Snapshot = Body<paths['/api/v1/controls/assessments/{id}/snapshots']['get']>['items'][number];
export type GapReport = Body<paths['/api/v1/controls/assessments/{id}/gaps']['get']>;
export type HeatCell = Body<paths['/api/v1/controls/heat-map']['get']>['items'][number];

export type Evidence = Body<paths['/api/v1/controls/evidence']['get']>['items'][number];
export type NewFileEvidence = JsonBody<paths['/api/v1/controls/evidence/files']['post']>;
export type NewLinkEvidence = JsonBody<paths['/api/v1/controls/evidence/links']['post']>;
export type Collector = Body<paths['/api/v1/controls/collectors']['get']>['items'][number];

export const PARTIES: readonly Party[] = ['hub', 'participant', 'shared', 'not-applicable'];
export const RESULTS: readonly AssessmentResult[] = [
  'not-assessed',
  'compliant',
  'partially-compliant',
  'non-compliant',
  'not-applicable',
];
export type Suggestion = Assessment['suggestions'][number];
