import type { Catalog } from './catalog/model.js';
import { resolveResponsibility, type EffectiveResponsibility } from './evaluate.js';
import { SCHEME_DEFAULT, type ResponsibilityRow } from './store.js';

export interface ParticipantMatrix {
  id: string;
  name: string;
  hosted: boolean;
  /** Every assessable requirement as it applies to this participant. */
  rows: EffectiveResponsibility[];
}

/** The scheme-wide matrix and, beside it, what applies to each participant: what the exports carry. */
export interface MatrixBook {
  catalog: Catalog;
  scheme: EffectiveResponsibility[];
  participants: ParticipantMatrix[];
  generatedAt: string;
}

/**
 * Resolves the scheme-wide matrix and each participant's effective matrix from one read of the
 * catalog's responsibility rows: linear in participants × requirements, no query per participant.
 */
export function buildMatrixBook(
  catalog: Catalog,
  rows: ResponsibilityRow[],
  participants: { id: string; name: string }[],
  hosted: Set<string>,
  generatedAt: string,
): MatrixBook {
  const byScope = new Map<string, ResponsibilityRow[]>();
  for (const row of rows) {
    let list = byScope.get(row.scope);
    if (!list) byScope.set(row.scope, (list = []));
    list.push(row);
  }
  const schemeRows = byScope.get(SCHEME_DEFAULT) ?? [];
  return {
    catalog,
    scheme: [...resolveResponsibility(catalog, schemeRows, [], false).values()],
    participants: participants.map((participant) => ({
      id: participant.id,
      name: participant.name,
      hosted: hosted.has(participant.id),
      rows: [
        ...resolveResponsibility(
          catalog,
          schemeRows,
          byScope.get(participant.id) ?? [],
          hosted.has(participant.id),
        ).values(),
      ],
    })),
    generatedAt,
  };
}

/** Rows where a participant departs from the scheme-wide answer: its own overrides and the hosted rule. */
export const deviations = (participant: ParticipantMatrix): EffectiveResponsibility[] =>
  participant.rows.filter((row) => row.origin === 'participant' || row.origin === 'hosted');
