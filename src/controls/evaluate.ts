import type { AssessmentResult } from '../core/db/schema.js';
import type { Catalog, Party } from './catalog/model.js';
import type { EvidenceMeta, ItemRow, ResponsibilityRow } from './store.js';

export const RESULTS: readonly AssessmentResult[] = [
  'not-assessed',
  'compliant',
  'partially-compliant',
  'non-compliant',
  'not-applicable',
];

export interface EffectiveResponsibility {
  ref: string;
  party: Party;
  hubDuty: string | null;
  participantDuty: string | null;
  reason: string | null;
  /** Where the answer came from: the catalog's default, the scheme-wide matrix, the hosted rule or the participant's override. */
  origin: 'catalog' | 'scheme' | 'hosted' | 'participant';
}

const fromRow = (row: ResponsibilityRow, origin: EffectiveResponsibility['origin']): EffectiveResponsibility => ({
  ref: row.ref,
  party: row.party,
  hubDuty: row.hub_duty,
  participantDuty: row.participant_duty,
  reason: row.reason,
  origin,
});

/**
 * Who carries each assessable requirement for one scope. Precedence: the participant's own override,
 * then (for a participant on the hub's hosted service) the hub for anything shared, then the
 * scheme-wide matrix, then the catalog's default.
 */
export function resolveResponsibility(
  catalog: Catalog,
  schemeRows: ResponsibilityRow[],
  participantRows: ResponsibilityRow[],
  hosted: boolean,
): Map<string, EffectiveResponsibility> {
  const scheme = new Map(schemeRows.map((row) => [row.ref, row]));
  const own = new Map(participantRows.map((row) => [row.ref, row]));
  const out = new Map<string, EffectiveResponsibility>();
  for (const requirement of catalog.requirements) {
    if (!requirement.assessable) continue;
    const override = own.get(requirement.ref);
    if (override) {
      out.set(requirement.ref, fromRow(override, 'participant'));
      continue;
    }
    const base = scheme.has(requirement.ref)
      ? fromRow(scheme.get(requirement.ref)!, 'scheme')
      : {
          ref: requirement.ref,
          party: requirement.responsibility,
          hubDuty: null,
          participantDuty: null,
          reason:
            requirement.responsibility === 'not-applicable' ? 'not applicable to a payments scheme by default' : null,
          origin: 'catalog' as const,
        };
    if (hosted && base.party === 'shared') {
      out.set(requirement.ref, {
        ...base,
        party: 'hub',
        reason: "runs on the hub's hosted service and inherits the hub's control",
        origin: 'hosted',
      });
    } else out.set(requirement.ref, base);
  }
  return out;
}

export interface AutomatedFinding {
  evidenceId: string;
  collector: string;
  result: 'pass' | 'fail';
  collectedAt: string;
  expiresAt: string | null;
}

export interface EvaluatedItem {
  ref: string;
  result: AssessmentResult;
  manualResult: AssessmentResult;
  /** Why the result is what it is. */
  basis: 'manual' | 'collector' | 'responsibility' | 'inherited' | 'evidence-expired';
  party: Party;
  priority: number;
  automated: AutomatedFinding | null;
  justification: string | null;
  evidenceIds: string[];
  assessor: string | null;
  reviewer: string | null;
  dueDate: string | null;
}

export interface EvaluationInput {
  catalog: Catalog;
  scopeKind: 'hub' | 'dfsp';
  responsibility: Map<string, EffectiveResponsibility>;
  items: Map<string, ItemRow>;
  /** Newest automated record per requirement URN for this scope. */
  automated: Map<string, EvidenceMeta>;
  /** Metadata of every evidence record the items link to. */
  linked: Map<string, EvidenceMeta>;
  /** The hub's effective results, for requirements a participant inherits from the hub. */
  hubResults?: Map<string, AssessmentResult> | undefined;
  now: string;
}

const live = (evidence: EvidenceMeta, now: string): boolean =>
  evidence.expires_at === null || evidence.expires_at > now;

/**
 * The effective result of every assessable requirement for one scope, from the assessor's answer,
 * the live evidence behind it and the responsibility matrix. A failing collector wins over any
 * answer; an answer whose linked evidence has all expired no longer counts.
 */
export function evaluate(input: EvaluationInput): EvaluatedItem[] {
  const out: EvaluatedItem[] = [];
  for (const requirement of input.catalog.requirements) {
    if (!requirement.assessable) continue;
    const item = input.items.get(requirement.ref);
    const party = input.responsibility.get(requirement.ref)?.party ?? requirement.responsibility;
    const manual = item?.result ?? 'not-assessed';
    const evidenceIds = item ? (JSON.parse(item.evidence_ids) as string[]) : [];
    const record = input.automated.get(requirement.urn);
    const automated =
      record && live(record, input.now)
        ? {
            evidenceId: record.id,
            collector: record.collector!,
            result: record.result!,
            collectedAt: record.created_at,
            expiresAt: record.expires_at,
          }
        : null;
    let result: AssessmentResult = manual;
    let basis: EvaluatedItem['basis'] = 'manual';
    if (party === 'not-applicable' || (input.scopeKind === 'hub' && party === 'participant')) {
      result = 'not-applicable';
      basis = 'responsibility';
    } else if (input.scopeKind === 'dfsp' && party === 'hub') {
      result = input.hubResults?.get(requirement.ref) ?? 'not-assessed';
      basis = 'inherited';
    } else if (automated?.result === 'fail') {
      result = 'non-compliant';
      basis = 'collector';
    } else if (automated?.result === 'pass' && manual === 'not-assessed') {
      result = 'compliant';
      basis = 'collector';
    } else if (
      (manual === 'compliant' || manual === 'partially-compliant') &&
      evidenceIds.length > 0 &&
      evidenceIds.every((id) => {
        const evidence = input.linked.get(id);
        return evidence === undefined || !live(evidence, input.now);
      })
    ) {
      result = 'not-assessed';
      basis = 'evidence-expired';
    }
    out.push({
      ref: requirement.ref,
      result,
      manualResult: manual,
      basis,
      party,
      priority: requirement.priority,
      automated,
      justification: item?.justification ?? null,
      evidenceIds,
      assessor: item?.assessor ?? null,
      reviewer: item?.reviewer ?? null,
      dueDate: item?.due_date ?? null,
    });
  }
  return out;
}

export interface Summary {
  total: number;
  applicable: number;
  counts: Record<AssessmentResult, number>;
  /** Share of applicable requirements with an answer, in percent (one decimal). */
  coverage: number;
  /** Share of applicable requirements that are compliant, in percent (one decimal). */
  compliance: number;
}

export function summarise(items: EvaluatedItem[]): Summary {
  const counts = Object.fromEntries(RESULTS.map((result) => [result, 0])) as Record<AssessmentResult, number>;
  for (const item of items) counts[item.result] += 1;
  const applicable = items.length - counts['not-applicable'];
  const pct = (n: number) => (applicable === 0 ? 100 : Math.round((n / applicable) * 1000) / 10);
  return {
    total: items.length,
    applicable,
    counts,
    coverage: pct(applicable - counts['not-assessed']),
    compliance: pct(counts.compliant),
  };
}

const SEVERITY: Partial<Record<AssessmentResult, number>> = {
  'non-compliant': 0,
  'partially-compliant': 1,
  'not-assessed': 2,
};

/** Open gaps, worst first: result, then the requirement's priority, then the earliest due date. */
export function rankGaps(items: EvaluatedItem[]): EvaluatedItem[] {
  return items
    .filter((item) => SEVERITY[item.result] !== undefined)
    .sort(
      (a, b) =>
        SEVERITY[a.result]! - SEVERITY[b.result]! ||
        a.priority - b.priority ||
        (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') ||
        a.ref.localeCompare(b.ref, 'en', { numeric: true }),
    );
}
