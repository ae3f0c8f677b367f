import type { AuditService } from '../audit/service.js';
import { isoNow, systemClock, type Clock } from '../core/clock.js';
import { scopeOf, type RequestContext } from '../core/context.js';
import type { Database } from '../core/db/database.js';
import { TrustloopError, invalid, notFound } from '../core/errors.js';
import type { ControlsService, EvaluatedAssessment } from './service.js';
import { listAssessments, updateAssessment, updateItem } from './store.js';
import { acceptedJustification, suggest, type SourceAssessment, type Suggestion } from './suggest.js';

/**
 * Mapping-driven answers across catalogs: a requirement nobody has answered yet is shown what the
 * same scope's newest assessment of a mapped catalog says, and the assessor may accept it.
 */
export class SuggestionService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly controls: ControlsService,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Suggestions for every unanswered requirement of an evaluated assessment. */
  async forAssessment(ctx: RequestContext, evaluated: EvaluatedAssessment): Promise<Suggestion[]> {
    const { assessment, items } = evaluated;
    const registry = this.controls.registry;
    const mappedCatalogs = new Set<string>();
    for (const mapping of registry.allMappings()) {
      if (mapping.source === assessment.catalog_urn) mappedCatalogs.add(mapping.target);
      if (mapping.target === assessment.catalog_urn) mappedCatalogs.add(mapping.source);
    }
    mappedCatalogs.delete(assessment.catalog_urn);
    if (mappedCatalogs.size === 0) return [];
    const rows = await listAssessments(this.database.db, scopeOf(ctx.actor), {
      participantId: assessment.participant_id,
    });
    const newest = new Map<string, (typeof rows)[number]>();
    for (const row of rows)
      if (mappedCatalogs.has(row.catalog_urn) && !newest.has(row.catalog_urn)) newest.set(row.catalog_urn, row);
    if (newest.size === 0) return [];
    const sources = new Map<string, SourceAssessment>();
    for (const source of await this.controls.evaluateAssessments([...newest.values()]))
      sources.set(source.assessment.catalog_urn, {
        id: source.assessment.id,
        title: source.assessment.title,
        items: new Map(source.items.map((item) => [item.ref, item] as const)),
      });
    return suggest(items, (ref) => registry.related(assessment.catalog_urn, ref), sources);
  }

  /**
   * Writes the suggested result of each requirement as the assessor's answer, with a justification
   * citing the source requirement, mapping and assessment; one audit event lists the provenance.
   */
  async accept(ctx: RequestContext, id: string, refs: string[]): Promise<EvaluatedAssessment> {
    const current = await this.controls.assessment(ctx, id);
    const row = current.assessment;
    if (row.status === 'signed-off')
      throw new TrustloopError('ERR_ASSESSMENT_SIGNED_OFF', `assessment '${id}' is signed off; reopen it to change it`);
    const catalog = this.controls.registry.get(row.catalog_urn);
    const suggestions = new Map((await this.forAssessment(ctx, current)).map((item) => [item.ref, item] as const));
    const accepted: Suggestion[] = [];
    for (const [index, ref] of refs.entries()) {
      if (!catalog.byRef.get(ref)) throw notFound('requirement', `${catalog.urn}:req:${ref}`);
      if (refs.indexOf(ref) !== index) throw invalid(`body/refs/${index}`, `'${ref}' appears twice`);
    }
    for (const ref of refs) {
      const suggestion = suggestions.get(ref);
      if (!suggestion || suggestion.result === null)
        throw new TrustloopError(
          'ERR_NO_SUGGESTION',
          `requirement '${ref}' has no suggested result to accept (it is answered, or no mapped requirement decides it)`,
        );
      accepted.push(suggestion);
    }
    const now = isoNow(this.clock);
    await this.database.transaction(async (tx) => {
      for (const suggestion of accepted) {
        const source = suggestion.sources[0]!;
        await updateItem(tx, id, suggestion.ref, {
          result: suggestion.result!,
          source: 'manual',
          justification: acceptedJustification(suggestion, this.controls.registry.get(source.catalogUrn).name),
          updated_at: now,
          updated_by: ctx.actor.id,
        });
      }
      await updateAssessment(tx, id, { updated_at: now });
      await this.audit.append(tx, ctx, {
        action: 'controls.suggestion.accept',
        resource: { type: 'assessment', id },
        participantId: row.participant_id,
        details: {
          items: accepted.map(({ ref, result, sources: [source] }) => ({
            ref,
            result,
            from: {
              catalog: source!.catalogUrn,
              ref: source!.ref,
              // An audit detail key containing 'pin' is redacted, so the mapping goes under its OSCAL name.
              crosswalk: source!.mappingUrn,
              relation: source!.relation,
              assessment: source!.assessmentId,
              result: source!.result,
            },
          })),
        },
      });
    });
    return this.controls.assessment(ctx, id);
  }
}
