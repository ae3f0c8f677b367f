import type { AssessmentResult } from '../core/db/schema.js';
import type { Relationship } from './catalog/model.js';
import type { RelatedRequirement } from './catalog/registry.js';
import type { EvaluatedItem } from './evaluate.js';

/** How this requirement relates to the mapped one, read as "this <relation> mapped". */
export type Relation = Relationship;

/** One mapped requirement whose result informs an unanswered requirement. */
export interface SuggestionSource {
  catalogUrn: string;
  ref: string;
  mappingUrn: string;
  /** Read as "this requirement <relation> the source requirement". */
  relation: Relation;
  assessmentId: string;
  assessmentTitle: string;
  /** The source's evaluated result, and why it is that (manual, collector, inherited…). */
  result: AssessmentResult;
  basis: EvaluatedItem['basis'];
  /** What this source alone suggests; null when it only informs. */
  suggests: AssessmentResult | null;
}

export interface Suggestion {
  ref: string;
  /** What accepting writes: the first source's suggestion; null when every source only informs. */
  result: AssessmentResult | null;
  /** Best first: an equal mapping, then a source that suggests a result, the more cautious first. */
  sources: SuggestionSource[];
}

/** The newest assessment of the same scope against another catalog, evaluated. */
export interface SourceAssessment {
  id: string;
  title: string;
  items: Map<string, EvaluatedItem>;
}

const INVERSE: Record<Relationship, Relationship> = {
  equal: 'equal',
  subset: 'superset',
  superset: 'subset',
  intersects: 'intersects',
};

/** The relation from the point of view of the requirement asking: mappings read "source <rel> target". */
export const relationFrom = (related: RelatedRequirement): Relation =>
  related.direction === 'forward' ? related.relationship : INVERSE[related.relationship];

/**
 * What a mapped requirement's result says about this one. Only `equal` carries a result over as it
 * is. Otherwise a suggestion never claims more than the mapping proves: it is at most
 * partially compliant, non-compliant only where a failing part is certainly part of this
 * requirement (superset), and no result at all (informative) where the mapped result cannot tell.
 */
export function derive(relation: Relation, result: AssessmentResult): AssessmentResult | null {
  if (result === 'not-assessed' || result === 'not-applicable') return null;
  switch (relation) {
    case 'equal':
      return result;
    case 'subset':
      // The mapped requirement asks for all of this one and more: a full pass covers this one, but
      // the mapping is an editor's reading, so the assessor confirms it. Partial or failing: unknown which part.
      return result === 'compliant' ? 'partially-compliant' : null;
    case 'superset':
      // The mapped requirement is a part of this one: it passing proves a part; it failing fails this one.
      return result === 'non-compliant' ? 'non-compliant' : 'partially-compliant';
    case 'intersects':
      return result === 'compliant' ? 'partially-compliant' : null;
  }
}

const RELATION_RANK: Record<Relation, number> = { equal: 0, superset: 1, subset: 1, intersects: 2 };
const CAUTION: Record<string, number> = { 'non-compliant': 0, 'partially-compliant': 1, compliant: 2 };

const order = (a: SuggestionSource, b: SuggestionSource): number =>
  RELATION_RANK[a.relation] - RELATION_RANK[b.relation] ||
  Number(a.suggests === null) - Number(b.suggests === null) ||
  (CAUTION[a.suggests ?? ''] ?? 3) - (CAUTION[b.suggests ?? ''] ?? 3) ||
  a.catalogUrn.localeCompare(b.catalogUrn) ||
  a.ref.localeCompare(b.ref, 'en', { numeric: true });

/**
 * Suggestions for the requirements of one assessment that have no answer of their own (not
 * assessed, and neither inherited, decided by the matrix nor by a collector), from the results the
 * same scope has in other catalogs mapped to them.
 */
export function suggest(
  items: EvaluatedItem[],
  related: (ref: string) => RelatedRequirement[],
  sources: Map<string, SourceAssessment>,
): Suggestion[] {
  const out: Suggestion[] = [];
  for (const item of items) {
    if (item.result !== 'not-assessed' || item.basis !== 'manual') continue;
    const found: SuggestionSource[] = [];
    for (const link of related(item.ref)) {
      const source = sources.get(link.catalogUrn);
      const mapped = source?.items.get(link.ref);
      if (!source || !mapped) continue;
      const relation = relationFrom(link);
      const suggests = derive(relation, mapped.result);
      if (suggests === null && (mapped.result === 'not-assessed' || mapped.result === 'not-applicable')) continue;
      found.push({
        catalogUrn: link.catalogUrn,
        ref: link.ref,
        mappingUrn: link.mappingUrn,
        relation,
        assessmentId: source.id,
        assessmentTitle: source.title,
        result: mapped.result,
        basis: mapped.basis,
        suggests,
      });
    }
    if (found.length === 0) continue;
    found.sort(order);
    out.push({ ref: item.ref, result: found[0]!.suggests, sources: found });
  }
  return out;
}

const PHRASE: Record<Relation, string> = {
  equal: 'equal to',
  subset: 'a subset of',
  superset: 'a superset of',
  intersects: 'overlapping with',
};

/** The justification written when an assessor accepts a suggestion: it cites where the answer came from. */
export function acceptedJustification(suggestion: Suggestion, sourceCatalogName: string): string {
  const source = suggestion.sources[0]!;
  return (
    `Accepted from mapping ${source.mappingUrn}: this requirement is ${PHRASE[source.relation]}` +
    ` ${sourceCatalogName} ${source.ref}, which is ${source.result} (${source.basis}) in assessment ${source.assessmentId}` +
    ` "${source.assessmentTitle}".`
  );
}
