import type { Requirement } from './types.js';

/**
 * The requirements to show, in document order: with a search, every match and the sections above
 * it; without one, the top level and the children of every expanded section.
 */
export function visibleRequirements(
  requirements: readonly Requirement[],
  search: string,
  expanded: ReadonlySet<string>,
): Requirement[] {
  const needle = search.trim().toLowerCase();
  if (needle === '') {
    const shown = new Set<string>();
    return requirements.filter((requirement) => {
      const visible =
        requirement.parentRef === null || (shown.has(requirement.parentRef) && expanded.has(requirement.parentRef));
      if (visible) shown.add(requirement.ref);
      return visible;
    });
  }
  const byRef = new Map(requirements.map((requirement) => [requirement.ref, requirement] as const));
  const keep = new Set<string>();
  for (const requirement of requirements) {
    const text = `${requirement.ref} ${requirement.title} ${requirement.intent ?? ''}`.toLowerCase();
    if (!text.includes(needle)) continue;
    for (let at: Requirement | undefined = requirement; at && !keep.has(at.ref);) {
      keep.add(at.ref);
      at = at.parentRef === null ? undefined : byRef.get(at.parentRef);
    }
  }
  return requirements.filter((requirement) => keep.has(requirement.ref));
}

/** Refs that have children (sections a reader can open). */
export const parentsOf = (requirements: readonly Requirement[]): Set<string> =>
  new Set(requirements.flatMap((requirement) => (requirement.parentRef === null ? [] : [requirement.parentRef])));
