import { Button, Group, Text } from '@mantine/core';
import { ResultBadge } from './badges.js';
import type { Suggestion } from './types.js';

interface Props {
  suggestion: Suggestion;
  catalogName: (urn: string) => string;
  canAccept: boolean;
  accepting: boolean;
  onAccept: () => void;
}

const RELATION: Record<Suggestion['sources'][number]['relation'], string> = {
  equal: 'equal to',
  subset: 'part of',
  superset: 'covers',
  intersects: 'overlaps',
};

/**
 * What a mapped requirement in another catalog says about an unanswered one: a suggested result
 * the assessor accepts with one click, or, when the mapping cannot decide, a note that only informs.
 */
export function SuggestionHint({ suggestion, catalogName, canAccept, accepting, onAccept }: Props) {
  const source = suggestion.sources[0]!;
  const more = suggestion.sources.length - 1;
  return (
    <Group gap={6} mt={4} wrap="nowrap" data-testid={`suggestion-${suggestion.ref}`}>
      <Text size="xs" c="dimmed">
        {suggestion.result === null ? 'Mapped (informs only):' : 'Suggested:'}
      </Text>
      {suggestion.result !== null && <ResultBadge result={suggestion.result} />}
      <Text size="xs" c="dimmed" title={`${source.mappingUrn}, assessment ${source.assessmentId}`}>
        {RELATION[source.relation]} {catalogName(source.catalogUrn)} {source.ref}, {source.result} in “
        {source.assessmentTitle}”{more > 0 ? ` (+${more} more)` : ''}
      </Text>
      {canAccept && suggestion.result !== null && (
        <Button size="compact-xs" variant="light" loading={accepting} onClick={onAccept}>
          Accept {suggestion.ref}
        </Button>
      )}
    </Group>
  );
}
