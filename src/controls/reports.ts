import { createHash } from 'node:crypto';
import type { Catalog } from './catalog/model.js';
import type { EffectiveResponsibility, EvaluatedItem } from './evaluate.js';
import type { EvaluatedAssessment } from './service.js';

const OSCAL_VERSION = '1.0.4';

/** A stable RFC 4122 version-5-style UUID from a name, so the same object exports with the same uuid. */
export function nameUuid(name: string): string {
  const hex = createHash('sha1').update(`trustloop:${name}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** OSCAL control ids are NCNames: letters first, then letters, digits, '.', '-' and '_'. */
export const oscalId = (ref: string): string => `r-${ref.replace(/[^A-Za-z0-9._-]/g, '_')}`;

const metadata = (title: string, version: string, lastModified: string) => ({
  title,
  'last-modified': lastModified,
  version,
  'oscal-version': OSCAL_VERSION,
});

/** The catalog as an OSCAL catalog: sections become groups, assessable requirements controls. */
export function oscalCatalog(catalog: Catalog, lastModified: string) {
  type Node = { id: string; title: string; parts?: unknown[]; props?: unknown[]; groups?: Node[]; controls?: Node[] };
  const nodes = new Map<string, Node>();
  const roots: { groups: Node[]; controls: Node[] } = { groups: [], controls: [] };
  for (const requirement of catalog.requirements) {
    const node: Node = {
      id: oscalId(requirement.ref),
      title: requirement.title,
      props: [{ name: 'label', value: requirement.ref }],
      ...(requirement.intent && {
        parts: [{ id: `${oscalId(requirement.ref)}_obj`, name: 'assessment-objective', prose: requirement.intent }],
      }),
    };
    nodes.set(requirement.ref, node);
    const parent = requirement.parentRef ? nodes.get(requirement.parentRef)! : roots;
    const parentIsControl = requirement.parentRef ? catalog.byRef.get(requirement.parentRef)!.assessable : false;
    // A section under a control cannot be a group in OSCAL; it is exported as a control too.
    if (requirement.assessable || parentIsControl) (parent.controls ??= []).push(node);
    else (parent.groups ??= []).push(node);
  }
  return {
    catalog: {
      uuid: nameUuid(catalog.urn),
      metadata: metadata(`${catalog.name} ${catalog.version}`, catalog.version, lastModified),
      ...(roots.groups.length > 0 && { groups: roots.groups }),
      ...(roots.controls.length > 0 && { controls: roots.controls }),
    },
  };
}

/** A profile selecting the requirements one scope carries (everything not marked not-applicable). */
export function oscalProfile(
  catalog: Catalog,
  scope: string,
  responsibility: EffectiveResponsibility[],
  catalogHref: string,
  lastModified: string,
) {
  const ids = responsibility.filter((entry) => entry.party !== 'not-applicable').map((entry) => oscalId(entry.ref));
  return {
    profile: {
      uuid: nameUuid(`${catalog.urn}:profile:${scope}`),
      metadata: metadata(`${catalog.name} ${catalog.version} baseline for ${scope}`, catalog.version, lastModified),
      imports: [{ href: catalogHref, 'include-controls': [{ 'with-ids': ids.length > 0 ? ids : [oscalId('none')] }] }],
    },
  };
}

const OSCAL_STATE: Record<string, 'satisfied' | 'not-satisfied'> = {
  compliant: 'satisfied',
  'not-applicable': 'satisfied',
};

/** Assessment results: one finding per assessable requirement, with the automated observation behind it. */
export function oscalAssessmentResults(
  evaluated: EvaluatedAssessment,
  catalog: Catalog,
  planHref: string,
  now: string,
) {
  const { assessment, items } = evaluated;
  const observations = items
    .filter((item) => item.automated)
    .map((item) => ({
      uuid: nameUuid(`${assessment.id}:obs:${item.ref}:${item.automated!.evidenceId}`),
      description: `${item.automated!.collector} reported ${item.automated!.result}`,
      methods: ['TEST'],
      types: ['control-objective'],
      collected: item.automated!.collectedAt,
      ...(item.automated!.expiresAt && { expires: item.automated!.expiresAt }),
      'relevant-evidence': [{ description: `Trustloop evidence ${item.automated!.evidenceId}` }],
    }));
  const observationByRef = new Map(
    items.filter((item) => item.automated).map((item, index) => [item.ref, observations[index]!.uuid] as const),
  );
  const finding = (item: EvaluatedItem) => ({
    uuid: nameUuid(`${assessment.id}:finding:${item.ref}`),
    title: `${catalog.name} ${item.ref}`,
    description: item.justification ?? `Result: ${item.result} (${item.basis})`,
    props: [{ name: 'result', ns: 'https://trustloop.dev/ns/oscal', value: item.result }],
    target: {
      type: 'objective-id',
      'target-id': oscalId(item.ref),
      status: { state: OSCAL_STATE[item.result] ?? 'not-satisfied' },
    },
    ...(observationByRef.has(item.ref) && {
      'related-observations': [{ 'observation-uuid': observationByRef.get(item.ref)! }],
    }),
  });
  return {
    'assessment-results': {
      uuid: nameUuid(`${assessment.id}:results:${assessment.version}`),
      metadata: metadata(`${assessment.title} (${assessment.participant_id})`, String(assessment.version), now),
      'import-ap': { href: planHref },
      results: [
        {
          uuid: nameUuid(`${assessment.id}:result:${assessment.version}`),
          title: assessment.title,
          description: `${catalog.name} ${catalog.version} assessment of ${assessment.participant_id}`,
          start: assessment.created_at,
          ...(assessment.signed_off_at && { end: assessment.signed_off_at }),
          'reviewed-controls': {
            'control-selections': [{ 'include-controls': items.map((item) => ({ 'control-id': oscalId(item.ref) })) }],
          },
          ...(observations.length > 0 && { observations }),
          ...(items.length > 0 && { findings: items.map(finding) }),
        },
      ],
    },
  };
}

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (value: string | number | null): string => {
    let text = value === null ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
