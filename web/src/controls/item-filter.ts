import type { AssessmentItem, AssessmentResult, Party } from './types.js';

export interface ItemFilter {
  text: string;
  result: AssessmentResult | '';
  party: Party | '';
}

export const NO_FILTER: ItemFilter = { text: '', result: '', party: '' };

/** The items matching every part of the filter given; `titles` lets the text match a title too. */
export function filterItems(
  items: readonly AssessmentItem[],
  filter: ItemFilter,
  titles: ReadonlyMap<string, string>,
): AssessmentItem[] {
  const needle = filter.text.trim().toLowerCase();
  return items.filter(
    (item) =>
      (filter.result === '' || item.result === filter.result) &&
      (filter.party === '' || item.party === filter.party) &&
      (needle === '' ||
        `${item.ref} ${titles.get(item.ref) ?? ''} ${item.justification ?? ''}`.toLowerCase().includes(needle)),
  );
}
