import type { AuditService } from '../audit/service.js';
import { isoNow, systemClock, type Clock } from '../core/clock.js';
import { scopeOf, systemContext, type RequestContext } from '../core/context.js';
import type { Database } from '../core/db/database.js';
import type { AssessmentResult } from '../core/db/schema.js';
import { TrustloopError, invalid, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { ParticipantService } from '../participants/service.js';
import { fromCisoAssistantLibrary, fromOscalCatalog } from './catalog/import.js';
import { buildCatalog, type CatalogDraft } from './catalog/load.js';
import type { Catalog, Party } from './catalog/model.js';
import type { CatalogRegistry } from './catalog/registry.js';
import {
  evaluate,
  rankGaps,
  resolveResponsibility,
  summarise,
  type EffectiveResponsibility,
  type EvaluatedItem,
  type Summary,
} from './evaluate.js';
import { buildMatrixBook, type MatrixBook } from './matrix.js';
import { SuggestionService } from './suggestions.js';
import {
  SCHEME_DEFAULT,
  deleteResponsibility,
  dfspParticipants,
  findAssessment,
  findEvidence,
  hostedParticipants,
  insertAssessment,
  insertSnapshot,
  itemsOf,
  latestAutomated,
  listAssessments,
  responsibilityRows,
  setHosted,
  snapshotsOf,
  updateAssessment,
  updateItem,
  upsertResponsibility,
  type AssessmentRow,
  type EvidenceMeta,
  type ItemRow,
} from './store.js';

export interface ItemChange {
  ref: string;
  result?: AssessmentResult;
  justification?: string | null;
  evidenceIds?: string[];
  assessor?: string | null;
  reviewer?: string | null;
  dueDate?: string | null;
}

export interface EvaluatedAssessment {
  assessment: AssessmentRow;
  items: EvaluatedItem[];
  summary: Summary;
}

/** Catalogs, the responsibility matrix and assessments: the compliance officer's workbench. */
export class ControlsService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly participants: ParticipantService,
    readonly registry: CatalogRegistry,
    private readonly clock: Clock = systemClock,
  ) {
    this.suggestions = new SuggestionService(database, audit, this, clock);
  }

  /** Mapping-driven suggestions for unanswered requirements, and accepting them. */
  readonly suggestions: SuggestionService;

  /** Adds the catalogs imported earlier (stored in the database) to the built-in ones. */
  async loadImported(): Promise<void> {
    const rows = await this.database.db.selectFrom('controls_catalogs').select('document').execute();
    for (const row of rows) this.registry.addImported(JSON.parse(row.document) as CatalogDraft);
  }

  async importCatalog(ctx: RequestContext, format: 'oscal' | 'ciso-assistant', content: string): Promise<Catalog> {
    let draft: CatalogDraft;
    if (format === 'oscal') {
      let document: unknown;
      try {
        document = JSON.parse(content);
      } catch {
        throw new TrustloopError('ERR_CATALOG_INVALID', 'content: the OSCAL catalog is not valid JSON');
      }
      draft = fromOscalCatalog(document);
    } else draft = fromCisoAssistantLibrary(content);
    if (this.registry.has(draft.urn)) throw new TrustloopError('ERR_CONFLICT', `catalog '${draft.urn}' already exists`);
    const catalog = buildCatalog(draft, 'imported');
    const now = isoNow(this.clock);
    await this.database.transaction(async (tx) => {
      await tx
        .insertInto('controls_catalogs')
        .values({
          urn: draft.urn,
          framework: draft.framework,
          version: draft.version,
          name: draft.name,
          document: JSON.stringify(draft),
          imported_at: now,
          imported_by: ctx.actor.id,
        })
        .execute();
      await this.audit.append(tx, ctx, {
        action: 'controls.catalog.import',
        resource: { type: 'catalog', id: draft.urn },
        details: { format, requirements: catalog.requirements.length },
      });
    });
    this.registry.add(catalog);
    return catalog;
  }

  // ---- responsibility matrix -------------------------------------------------------------------

  /** The participant a caller may act for: a participant token only ever gets its own. */
  private async scopeParticipant(ctx: RequestContext, participantId: string) {
    return this.participants.get(ctx, participantId);
  }

  async responsibility(
    ctx: RequestContext,
    catalogUrn: string,
    participantId?: string,
  ): Promise<{ hosted: boolean; rows: EffectiveResponsibility[] }> {
    const catalog = this.registry.get(catalogUrn);
    const scope = scopeOf(ctx.actor);
    const target = scope.kind === 'participant' ? scope.participantId : participantId;
    if (target === undefined) {
      const rows = await responsibilityRows(this.database.db, catalogUrn, [SCHEME_DEFAULT]);
      return { hosted: false, rows: [...resolveResponsibility(catalog, rows, [], false).values()] };
    }
    await this.scopeParticipant(ctx, target);
    const rows = await responsibilityRows(this.database.db, catalogUrn, [SCHEME_DEFAULT, target]);
    const hosted = (await hostedParticipants(this.database.db)).has(target);
    const resolved = resolveResponsibility(
      catalog,
      rows.filter((row) => row.scope === SCHEME_DEFAULT),
      rows.filter((row) => row.scope === target),
      hosted,
    );
    return { hosted, rows: [...resolved.values()] };
  }

  async setResponsibility(
    ctx: RequestContext,
    catalogUrn: string,
    ref: string,
    input: {
      participantId?: string | undefined;
      party: Party;
      hubDuty?: string | undefined;
      participantDuty?: string | undefined;
      reason?: string | undefined;
    },
  ): Promise<void> {
    const requirement = this.registry.requirement(catalogUrn, ref);
    if (!requirement.assessable) throw invalid('ref', `'${ref}' is a section, not an assessable requirement`);
    if (input.party === 'shared' && (!input.hubDuty || !input.participantDuty))
      throw invalid('body', 'a shared requirement needs hubDuty and participantDuty (what each side does)');
    if (input.party === 'not-applicable' && !input.reason)
      throw invalid('body/reason', 'not-applicable needs a reason');
    if (input.participantId !== undefined) await this.scopeParticipant(ctx, input.participantId);
    const scope = input.participantId ?? SCHEME_DEFAULT;
    await this.database.transaction(async (tx) => {
      await upsertResponsibility(tx, {
        catalog_urn: catalogUrn,
        ref,
        scope,
        party: input.party,
        hub_duty: input.hubDuty ?? null,
        participant_duty: input.participantDuty ?? null,
        reason: input.reason ?? null,
        updated_at: isoNow(this.clock),
        updated_by: ctx.actor.id,
      });
      await this.audit.append(tx, ctx, {
        action: 'controls.responsibility.set',
        resource: { type: 'requirement', id: requirement.urn },
        participantId: input.participantId ?? null,
        details: { scope, party: input.party, reason: input.reason ?? null },
      });
    });
  }

  async clearOverride(ctx: RequestContext, catalogUrn: string, ref: string, participantId: string): Promise<void> {
    const requirement = this.registry.requirement(catalogUrn, ref);
    await this.scopeParticipant(ctx, participantId);
    await this.database.transaction(async (tx) => {
      if (!(await deleteResponsibility(tx, catalogUrn, ref, participantId)))
        throw notFound('responsibility override', `${participantId}/${ref}`);
      await this.audit.append(tx, ctx, {
        action: 'controls.responsibility.clear',
        resource: { type: 'requirement', id: requirement.urn },
        participantId,
      });
    });
  }

  /**
   * The scheme-wide matrix with each participant's effective matrix beside it, for export: every
   * DFSP the caller may see, or just the one asked for (a participant token gets only its own).
   */
  async matrixBook(ctx: RequestContext, catalogUrn: string, participantId?: string): Promise<MatrixBook> {
    const catalog = this.registry.get(catalogUrn);
    const scope = scopeOf(ctx.actor);
    const target = scope.kind === 'participant' ? scope.participantId : participantId;
    const participants =
      target === undefined
        ? await dfspParticipants(this.database.db, scope)
        : [await this.scopeParticipant(ctx, target)].map(({ id, name }) => ({ id, name }));
    const [rows, hosted] = await Promise.all([
      responsibilityRows(this.database.db, catalog.urn, [SCHEME_DEFAULT, ...participants.map(({ id }) => id)]),
      hostedParticipants(this.database.db),
    ]);
    return buildMatrixBook(catalog, rows, participants, hosted, isoNow(this.clock));
  }

  async setHosted(ctx: RequestContext, participantId: string, hosted: boolean): Promise<void> {
    const participant = await this.scopeParticipant(ctx, participantId);
    if (participant.kind === 'hub') throw invalid('participantId', 'the hub cannot be hosted by itself');
    await this.database.transaction(async (tx) => {
      await setHosted(tx, participantId, hosted, isoNow(this.clock));
      await this.audit.append(tx, ctx, {
        action: 'controls.participant.hosted',
        resource: { type: 'participant', id: participantId },
        participantId,
        details: { hosted },
      });
    });
  }

  // ---- assessments -----------------------------------------------------------------------------

  async createAssessment(
    ctx: RequestContext,
    input: { catalogUrn: string; participantId: string; title: string; dueDate?: string | undefined },
  ): Promise<EvaluatedAssessment> {
    const catalog = this.registry.get(input.catalogUrn);
    await this.scopeParticipant(ctx, input.participantId);
    const now = isoNow(this.clock);
    const row: AssessmentRow = {
      id: newId('asm'),
      catalog_urn: catalog.urn,
      participant_id: input.participantId,
      title: input.title,
      status: 'open',
      version: 0,
      due_date: input.dueDate ?? null,
      created_at: now,
      created_by: ctx.actor.id,
      updated_at: now,
      signed_off_at: null,
      signed_off_by: null,
    };
    const items: ItemRow[] = catalog.requirements
      .filter((requirement) => requirement.assessable)
      .map((requirement) => ({
        assessment_id: row.id,
        ref: requirement.ref,
        result: 'not-assessed',
        justification: null,
        evidence_ids: '[]',
        assessor: null,
        reviewer: null,
        due_date: input.dueDate ?? null,
        source: 'manual',
        updated_at: now,
        updated_by: ctx.actor.id,
      }));
    await this.database.transaction(async (tx) => {
      await insertAssessment(tx, row, items);
      await this.audit.append(tx, ctx, {
        action: 'controls.assessment.create',
        resource: { type: 'assessment', id: row.id },
        participantId: row.participant_id,
        details: { catalog: catalog.urn, title: row.title, requirements: items.length },
      });
    });
    return this.assessment(ctx, row.id);
  }

  async listAssessments(ctx: RequestContext, filter: { participantId?: string; catalogUrn?: string }) {
    return listAssessments(this.database.db, scopeOf(ctx.actor), filter);
  }

  private async requireAssessment(ctx: RequestContext, id: string): Promise<AssessmentRow> {
    const row = await findAssessment(this.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('assessment', id);
    return row;
  }

  async assessment(ctx: RequestContext, id: string): Promise<EvaluatedAssessment> {
    const row = await this.requireAssessment(ctx, id);
    const [evaluated] = await this.evaluateAssessments([row]);
    return evaluated!;
  }

  /**
   * Evaluates many assessments in a handful of queries: their items, the newest automated evidence
   * of every scope, the responsibility matrix and hosted flags. Participants inherit the hub's
   * result (from the hub's newest assessment of the same catalog) where the hub carries a requirement.
   */
  async evaluateAssessments(rows: AssessmentRow[]): Promise<EvaluatedAssessment[]> {
    if (rows.length === 0) return [];
    const db = this.database.db;
    const now = isoNow(this.clock);
    const catalogUrns = [...new Set(rows.map((row) => row.catalog_urn))];
    const hubRows = await db
      .selectFrom('controls_assessments')
      .innerJoin('participants', 'participants.id', 'controls_assessments.participant_id')
      .selectAll('controls_assessments')
      .where('participants.kind', '=', 'hub')
      .where('controls_assessments.catalog_urn', 'in', catalogUrns)
      .orderBy('controls_assessments.created_at', 'desc')
      .execute();
    const hubByCatalog = new Map<string, AssessmentRow>();
    for (const hub of hubRows) if (!hubByCatalog.has(hub.catalog_urn)) hubByCatalog.set(hub.catalog_urn, hub);
    const hubId =
      hubRows[0]?.participant_id ??
      (await db.selectFrom('participants').select('id').where('kind', '=', 'hub').executeTakeFirst())?.id;
    const all = [...rows];
    for (const hub of hubByCatalog.values()) if (!all.some((row) => row.id === hub.id)) all.push(hub);
    const participantIds = [...new Set(all.map((row) => row.participant_id))];
    const [items, automated, hosted, responsibility] = await Promise.all([
      itemsOf(
        db,
        all.map((row) => row.id),
      ),
      latestAutomated(db, participantIds),
      hostedParticipants(db),
      Promise.all(catalogUrns.map((urn) => responsibilityRows(db, urn, [SCHEME_DEFAULT, ...participantIds]))),
    ]);
    const itemsByAssessment = new Map<string, Map<string, ItemRow>>();
    const linkedIds = new Set<string>();
    for (const item of items) {
      let map = itemsByAssessment.get(item.assessment_id);
      if (!map) itemsByAssessment.set(item.assessment_id, (map = new Map()));
      map.set(item.ref, item);
      for (const id of JSON.parse(item.evidence_ids) as string[]) linkedIds.add(id);
    }
    const linked = new Map(
      (await findEvidence(db, { kind: 'all' }, [...linkedIds])).map((evidence) => [evidence.id, evidence] as const),
    );
    const automatedByScope = new Map<string, Map<string, EvidenceMeta>>();
    for (const record of automated) {
      let map = automatedByScope.get(record.participant_id);
      if (!map) automatedByScope.set(record.participant_id, (map = new Map()));
      for (const urn of JSON.parse(record.requirement_urns) as string[]) {
        const current = map.get(urn);
        // Of two collectors backing one requirement, a failure speaks louder than a pass.
        if (!current || (record.result === 'fail' && current.result !== 'fail')) map.set(urn, record);
      }
    }
    const responsibilityByCatalog = new Map(catalogUrns.map((urn, index) => [urn, responsibility[index]!] as const));
    const evaluateOne = (row: AssessmentRow, hubResults?: Map<string, AssessmentResult>): EvaluatedAssessment => {
      const catalog = this.registry.get(row.catalog_urn);
      const matrix = responsibilityByCatalog.get(row.catalog_urn)!;
      const resolved = resolveResponsibility(
        catalog,
        matrix.filter((entry) => entry.scope === SCHEME_DEFAULT),
        matrix.filter((entry) => entry.scope === row.participant_id),
        hosted.has(row.participant_id),
      );
      const evaluated = evaluate({
        catalog,
        scopeKind: row.participant_id === hubId ? 'hub' : 'dfsp',
        responsibility: resolved,
        items: itemsByAssessment.get(row.id) ?? new Map(),
        automated: automatedByScope.get(row.participant_id) ?? new Map(),
        linked,
        hubResults,
        now,
      });
      return { assessment: row, items: evaluated, summary: summarise(evaluated) };
    };
    const hubResults = new Map<string, Map<string, AssessmentResult>>();
    for (const [urn, hub] of hubByCatalog)
      hubResults.set(urn, new Map(evaluateOne(hub).items.map((item) => [item.ref, item.result] as const)));
    return rows.map((row) =>
      evaluateOne(row, row.participant_id === hubId ? undefined : hubResults.get(row.catalog_urn)),
    );
  }

  async updateItems(ctx: RequestContext, id: string, changes: ItemChange[]): Promise<EvaluatedAssessment> {
    const row = await this.requireAssessment(ctx, id);
    if (row.status === 'signed-off')
      throw new TrustloopError('ERR_ASSESSMENT_SIGNED_OFF', `assessment '${id}' is signed off; reopen it to change it`);
    const catalog = this.registry.get(row.catalog_urn);
    const seen = new Set<string>();
    for (const [index, change] of changes.entries()) {
      const requirement = catalog.byRef.get(change.ref);
      if (!requirement) throw notFound('requirement', `${catalog.urn}:req:${change.ref}`);
      if (!requirement.assessable)
        throw invalid(`body/items/${index}/ref`, `'${change.ref}' is a section, not assessable`);
      if (seen.has(change.ref)) throw invalid(`body/items/${index}/ref`, `'${change.ref}' appears twice`);
      seen.add(change.ref);
    }
    const evidenceIds = [...new Set(changes.flatMap((change) => change.evidenceIds ?? []))];
    const found = await findEvidence(this.database.db, scopeOf(ctx.actor), evidenceIds);
    for (const evidenceId of evidenceIds) {
      const evidence = found.find((item) => item.id === evidenceId);
      if (!evidence) throw notFound('evidence', evidenceId);
      if (evidence.participant_id !== row.participant_id)
        throw invalid('evidenceIds', `evidence '${evidenceId}' belongs to another scope`);
    }
    const now = isoNow(this.clock);
    await this.database.transaction(async (tx) => {
      for (const change of changes) {
        await updateItem(tx, id, change.ref, {
          ...(change.result !== undefined && { result: change.result, source: 'manual' as const }),
          ...(change.justification !== undefined && { justification: change.justification }),
          ...(change.evidenceIds !== undefined && { evidence_ids: JSON.stringify(change.evidenceIds) }),
          ...(change.assessor !== undefined && { assessor: change.assessor }),
          ...(change.reviewer !== undefined && { reviewer: change.reviewer }),
          ...(change.dueDate !== undefined && { due_date: change.dueDate }),
          updated_at: now,
          updated_by: ctx.actor.id,
        });
      }
      await updateAssessment(tx, id, { updated_at: now });
      await this.audit.append(tx, ctx, {
        action: 'controls.assessment.update',
        resource: { type: 'assessment', id },
        participantId: row.participant_id,
        details: { items: changes.map((change) => ({ ref: change.ref, result: change.result ?? null })) },
      });
    });
    return this.assessment(ctx, id);
  }

  /** Freezes the evaluated assessment as the next numbered snapshot; edits then need a reopen. */
  async signOff(ctx: RequestContext, id: string): Promise<EvaluatedAssessment> {
    const current = await this.assessment(ctx, id);
    const row = current.assessment;
    if (row.status === 'signed-off')
      throw new TrustloopError('ERR_ASSESSMENT_SIGNED_OFF', `assessment '${id}' is already signed off`);
    const now = isoNow(this.clock);
    const version = row.version + 1;
    await this.database.transaction(async (tx) => {
      const result = await tx
        .updateTable('controls_assessments')
        .set({ status: 'signed-off', version, signed_off_at: now, signed_off_by: ctx.actor.id, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n)
        throw new TrustloopError('ERR_ASSESSMENT_SIGNED_OFF', `assessment '${id}' is already signed off`);
      await insertSnapshot(tx, {
        assessment_id: id,
        version,
        taken_at: now,
        taken_by: ctx.actor.id,
        summary: JSON.stringify(current.summary),
        items: JSON.stringify(current.items),
      });
      await this.audit.append(tx, ctx, {
        action: 'controls.assessment.sign-off',
        resource: { type: 'assessment', id },
        participantId: row.participant_id,
        details: { version, summary: current.summary },
      });
    });
    return this.assessment(ctx, id);
  }

  async reopen(ctx: RequestContext, id: string): Promise<EvaluatedAssessment> {
    const row = await this.requireAssessment(ctx, id);
    if (row.status !== 'signed-off') throw new TrustloopError('ERR_CONFLICT', `assessment '${id}' is already open`);
    await this.database.transaction(async (tx) => {
      await updateAssessment(tx, id, { status: 'open', updated_at: isoNow(this.clock) });
      await this.audit.append(tx, ctx, {
        action: 'controls.assessment.reopen',
        resource: { type: 'assessment', id },
        participantId: row.participant_id,
      });
    });
    return this.assessment(ctx, id);
  }

  async snapshots(ctx: RequestContext, id: string) {
    await this.requireAssessment(ctx, id);
    return (await snapshotsOf(this.database.db, id)).map((snapshot) => ({
      version: snapshot.version,
      takenAt: snapshot.taken_at,
      takenBy: snapshot.taken_by,
      summary: JSON.parse(snapshot.summary) as Summary,
      items: JSON.parse(snapshot.items) as EvaluatedItem[],
    }));
  }

  /** Gap report: counts, coverage, ranked gaps and the trend across signed-off snapshots. */
  async gapReport(ctx: RequestContext, id: string) {
    const { assessment, items, summary } = await this.assessment(ctx, id);
    const snapshots = await this.snapshots(ctx, id);
    return {
      assessment,
      summary,
      gaps: rankGaps(items),
      trend: snapshots.map((snapshot) => ({
        version: snapshot.version,
        takenAt: snapshot.takenAt,
        ...snapshot.summary,
      })),
    };
  }

  /** Scheme heat map: compliance of the newest assessment of every participant × catalog. */
  async heatMap(ctx: RequestContext) {
    const rows = await listAssessments(this.database.db, scopeOf(ctx.actor), {});
    const newest = new Map<string, AssessmentRow>();
    for (const row of rows) {
      const key = `${row.participant_id} ${row.catalog_urn}`;
      if (!newest.has(key)) newest.set(key, row);
    }
    const evaluated = await this.evaluateAssessments([...newest.values()]);
    return evaluated.map(({ assessment, summary }) => ({
      participantId: assessment.participant_id,
      catalogUrn: assessment.catalog_urn,
      assessmentId: assessment.id,
      compliance: summary.compliance,
      coverage: summary.coverage,
      nonCompliant: summary.counts['non-compliant'],
    }));
  }

  /** Marks requirements backed by a failing (or recovered) collector in every open assessment of a scope. */
  async applyCollectorResult(
    participantId: string,
    collector: string,
    requirementUrns: string[],
    result: 'pass' | 'fail',
    summaryText: string,
  ): Promise<void> {
    const ctx = systemContext();
    const open = (await listAssessments(this.database.db, { kind: 'all' }, { participantId })).filter(
      (row) => row.status === 'open',
    );
    const now = isoNow(this.clock);
    for (const row of open) {
      const catalog = this.registry.get(row.catalog_urn);
      const refs = requirementUrns
        .filter((urn) => urn.startsWith(`${catalog.urn}:req:`))
        .map((urn) => urn.slice(catalog.urn.length + 5));
      if (refs.length === 0) continue;
      const items = (await itemsOf(this.database.db, [row.id])).filter((item) => refs.includes(item.ref));
      const changing = items.filter((item) =>
        result === 'fail'
          ? item.result !== 'non-compliant'
          : item.source === 'collector' && item.result === 'non-compliant',
      );
      if (changing.length === 0) continue;
      const next: AssessmentResult = result === 'fail' ? 'non-compliant' : 'compliant';
      await this.database.transaction(async (tx) => {
        for (const item of changing)
          await updateItem(tx, row.id, item.ref, {
            result: next,
            source: 'collector',
            justification: `${collector} ${result === 'fail' ? 'failed' : 'passed'} at ${now}: ${summaryText}`,
            updated_at: now,
            updated_by: `collector:${collector}`,
          });
        await this.audit.append(tx, ctx, {
          action: result === 'fail' ? 'controls.requirement.auto-fail' : 'controls.requirement.auto-pass',
          resource: { type: 'assessment', id: row.id },
          participantId,
          outcome: result === 'fail' ? 'failure' : 'success',
          details: { collector, refs: changing.map((item) => item.ref), result: next },
        });
      });
    }
  }
}
