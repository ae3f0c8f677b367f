import { Type, type Static } from 'typebox';
import { Nullable, literals } from '../core/schema.js';
import { FspId } from '../participants/schemas.js';
import { PARTIES, RELATIONSHIPS } from './catalog/model.js';
import { RESULTS } from './evaluate.js';

const CatalogUrn = Type.String({
  minLength: 10,
  maxLength: 100,
  pattern: '^urn:[a-z0-9][a-z0-9-]{0,31}(:[A-Za-z0-9._-]{1,64}){2,6}$',
  description: 'catalog URN, e.g. urn:trustloop:catalog:pci-dss:4.0.1',
});
const Ref = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._()-]{0,63}$' });
const Id = (prefix: string) => Type.String({ pattern: `^${prefix}_[a-z2-7]{16}$` });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });
const DateOnly = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Party = literals(PARTIES);
const Result = literals(RESULTS);

export const CatalogParams = Type.Object({ catalog: CatalogUrn }, { additionalProperties: false });
export const RequirementParams = Type.Object({ catalog: CatalogUrn, ref: Ref }, { additionalProperties: false });
export const AssessmentParams = Type.Object({ id: Id('asm') }, { additionalProperties: false });
export const EvidenceParams = Type.Object({ id: Id('evd') }, { additionalProperties: false });
export const ParticipantParams = Type.Object({ id: FspId }, { additionalProperties: false });
export const ScopeQuery = Type.Object({ participantId: Type.Optional(FspId) }, { additionalProperties: false });

export const CatalogSummary = Type.Object(
  {
    urn: Type.String(),
    framework: Type.String(),
    name: Type.String(),
    version: Type.String(),
    published: Nullable(Type.String()),
    source: Nullable(Type.String()),
    origin: literals(['builtin', 'imported'] as const),
    requirements: Type.Integer(),
    assessable: Type.Integer(),
  },
  { additionalProperties: false },
);
export const CatalogList = Type.Object({ items: Type.Array(CatalogSummary) }, { additionalProperties: false });

export const RequirementView = Type.Object(
  {
    urn: Type.String(),
    ref: Type.String(),
    parentRef: Nullable(Type.String()),
    title: Type.String(),
    intent: Nullable(Type.String()),
    assessable: Type.Boolean(),
    priority: Type.Integer(),
    responsibility: Party,
    depth: Type.Integer(),
  },
  { additionalProperties: false },
);
export const CatalogDetail = Type.Object(
  { catalog: CatalogSummary, requirements: Type.Array(RequirementView) },
  { additionalProperties: false },
);
export const RequirementDetail = Type.Object(
  {
    requirement: RequirementView,
    related: Type.Array(
      Type.Object(
        {
          catalogUrn: Type.String(),
          ref: Type.String(),
          relationship: literals(RELATIONSHIPS),
          direction: literals(['forward', 'reverse'] as const),
          mappingUrn: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ImportCatalog = Type.Object(
  {
    format: literals(['oscal', 'ciso-assistant'] as const),
    content: Type.String({
      minLength: 1,
      maxLength: 900_000,
      description: 'OSCAL catalog JSON or CISO Assistant library YAML',
    }),
  },
  { additionalProperties: false },
);

export const ResponsibilityEntry = Type.Object(
  {
    ref: Type.String(),
    party: Party,
    hubDuty: Nullable(Type.String()),
    participantDuty: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    origin: literals(['catalog', 'scheme', 'hosted', 'participant'] as const),
  },
  { additionalProperties: false },
);
export const ResponsibilityMatrix = Type.Object(
  {
    catalogUrn: Type.String(),
    participantId: Nullable(Type.String()),
    hosted: Type.Boolean(),
    items: Type.Array(ResponsibilityEntry),
  },
  { additionalProperties: false },
);
export const SetResponsibility = Type.Object(
  {
    participantId: Type.Optional(FspId),
    party: Party,
    hubDuty: Type.Optional(Text(500)),
    participantDuty: Type.Optional(Text(500)),
    reason: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);
export const ClearOverrideQuery = Type.Object({ participantId: FspId }, { additionalProperties: false });
export const SetHosting = Type.Object({ hosted: Type.Boolean() }, { additionalProperties: false });
export const Hosting = Type.Object(
  { participantId: Type.String(), hosted: Type.Boolean() },
  { additionalProperties: false },
);

const Counts = Type.Object(
  Object.fromEntries(RESULTS.map((result) => [result, Type.Integer()])) as Record<
    (typeof RESULTS)[number],
    ReturnType<typeof Type.Integer>
  >,
  { additionalProperties: false },
);
export const Summary = Type.Object(
  {
    total: Type.Integer(),
    applicable: Type.Integer(),
    counts: Counts,
    coverage: Type.Number(),
    compliance: Type.Number(),
  },
  { additionalProperties: false },
);

export const EvaluatedItem = Type.Object(
  {
    ref: Type.String(),
    result: Result,
    manualResult: Result,
    basis: literals(['manual', 'collector', 'responsibility', 'inherited', 'evidence-expired'] as const),
    party: Party,
    priority: Type.Integer(),
    automated: Nullable(
      Type.Object(
        {
          evidenceId: Type.String(),
          collector: Type.String(),
          result: literals(['pass', 'fail'] as const),
          collectedAt: Type.String(),
          expiresAt: Nullable(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    justification: Nullable(Type.String()),
    evidenceIds: Type.Array(Type.String()),
    assessor: Nullable(Type.String()),
    reviewer: Nullable(Type.String()),
    dueDate: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const AssessmentHead = Type.Object(
  {
    id: Type.String(),
    catalogUrn: Type.String(),
    participantId: Type.String(),
    title: Type.String(),
    status: literals(['open', 'signed-off'] as const),
    version: Type.Integer({ description: 'number of the last signed-off snapshot (0: none yet)' }),
    dueDate: Nullable(Type.String()),
    createdAt: Type.String(),
    createdBy: Type.String(),
    updatedAt: Type.String(),
    signedOffAt: Nullable(Type.String()),
    signedOffBy: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export const Suggestion = Type.Object(
  {
    ref: Type.String(),
    result: Nullable(Result),
    sources: Type.Array(
      Type.Object(
        {
          catalogUrn: Type.String(),
          ref: Type.String(),
          mappingUrn: Type.String(),
          relation: literals(RELATIONSHIPS),
          assessmentId: Type.String(),
          assessmentTitle: Type.String(),
          result: Result,
          basis: EvaluatedItem.properties.basis,
          suggests: Nullable(Result),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export const Assessment = Type.Object(
  {
    assessment: AssessmentHead,
    summary: Summary,
    items: Type.Array(EvaluatedItem),
    suggestions: Type.Array(Suggestion, {
      description:
        'for unanswered requirements: what the same scope’s newest assessment of a mapped catalog suggests, with provenance',
    }),
  },
  { additionalProperties: false },
);
export const AcceptSuggestions = Type.Object(
  { refs: Type.Array(Ref, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);
export const AssessmentList = Type.Object({ items: Type.Array(AssessmentHead) }, { additionalProperties: false });
export const AssessmentQuery = Type.Object(
  { participantId: Type.Optional(FspId), catalog: Type.Optional(CatalogUrn) },
  { additionalProperties: false },
);
export const CreateAssessment = Type.Object(
  { catalogUrn: CatalogUrn, participantId: FspId, title: Text(200), dueDate: Type.Optional(DateOnly) },
  { additionalProperties: false },
);
export const ItemChange = Type.Object(
  {
    ref: Ref,
    result: Type.Optional(Result),
    justification: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    evidenceIds: Type.Optional(Type.Array(Id('evd'), { maxItems: 50, uniqueItems: true })),
    assessor: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    reviewer: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    dueDate: Type.Optional(Nullable(DateOnly)),
  },
  { additionalProperties: false, minProperties: 2 },
);
export const UpdateItems = Type.Object(
  { items: Type.Array(ItemChange, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);
export type UpdateItems = Static<typeof UpdateItems>;

export const SnapshotList = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          version: Type.Integer(),
          takenAt: Type.String(),
          takenBy: Type.String(),
          summary: Summary,
          items: Type.Array(EvaluatedItem),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export const GapReport = Type.Object(
  {
    assessment: AssessmentHead,
    summary: Summary,
    gaps: Type.Array(EvaluatedItem),
    trend: Type.Array(
      Type.Object(
        {
          version: Type.Integer(),
          takenAt: Type.String(),
          total: Type.Integer(),
          applicable: Type.Integer(),
          counts: Counts,
          coverage: Type.Number(),
          compliance: Type.Number(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export const HeatMap = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          participantId: Type.String(),
          catalogUrn: Type.String(),
          assessmentId: Type.String(),
          compliance: Type.Number(),
          coverage: Type.Number(),
          nonCompliant: Type.Integer(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const Expiry = Type.Optional(Type.String({ format: 'date-time', description: 'when this evidence stops counting' }));
export const UploadEvidence = Type.Object(
  {
    participantId: FspId,
    title: Text(200),
    fileName: Type.String({ minLength: 3, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._()-]*$' }),
    contentBase64: Type.String({ minLength: 1, maxLength: 7_000_000 }),
    expiresAt: Expiry,
  },
  { additionalProperties: false },
);
export const LinkEvidence = Type.Object(
  { participantId: FspId, title: Text(200), url: Type.String({ minLength: 8, maxLength: 2000 }), expiresAt: Expiry },
  { additionalProperties: false },
);
export const EvidenceView = Type.Object(
  {
    id: Type.String(),
    participantId: Type.String(),
    kind: literals(['file', 'link', 'automated'] as const),
    title: Type.String(),
    url: Nullable(Type.String()),
    fileName: Nullable(Type.String()),
    mediaType: Nullable(Type.String()),
    sizeBytes: Nullable(Type.Integer()),
    sha256: Nullable(Type.String()),
    collector: Nullable(Type.String()),
    result: Nullable(literals(['pass', 'fail'] as const)),
    data: Type.Unknown(),
    requirementUrns: Type.Array(Type.String()),
    createdAt: Type.String(),
    createdBy: Type.String(),
    expiresAt: Nullable(Type.String()),
    expired: Type.Boolean(),
  },
  { additionalProperties: false },
);
export const EvidenceList = Type.Object({ items: Type.Array(EvidenceView) }, { additionalProperties: false });
export const EvidenceQuery = Type.Object(
  {
    participantId: Type.Optional(FspId),
    kind: Type.Optional(literals(['file', 'link', 'automated'] as const)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
export const CollectorList = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        { id: Type.String(), title: Type.String(), backs: Type.Array(Type.String()) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export const RunCollectors = Type.Object(
  { collector: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9.-]+$' })) },
  { additionalProperties: false },
);
export const OscalDocument = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  additionalProperties: true,
  description: 'an OSCAL 1.0.4 JSON document',
});
export const CsvText = Type.Unsafe<string>({ type: 'string', description: 'RFC 4180 CSV' });
export const BinaryFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: 'the file' });
