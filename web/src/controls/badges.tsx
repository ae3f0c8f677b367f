import { Badge } from '@mantine/core';
import type { AssessmentResult, Party } from './types.js';

const RESULT_COLOR: Record<AssessmentResult, string> = {
  'not-assessed': 'gray',
  compliant: 'green',
  'partially-compliant': 'yellow',
  'non-compliant': 'red',
  'not-applicable': 'blue',
};

const PARTY_COLOR: Record<Party, string> = {
  hub: 'indigo',
  participant: 'teal',
  shared: 'grape',
  'not-applicable': 'gray',
};

export const resultColor = (result: AssessmentResult): string => RESULT_COLOR[result];

export function ResultBadge({ result }: { result: AssessmentResult }) {
  return (
    <Badge color={RESULT_COLOR[result]} variant="light">
      {result}
    </Badge>
  );
}

export function PartyBadge({ party }: { party: Party }) {
  return (
    <Badge color={PARTY_COLOR[party]} variant="outline">
      {party}
    </Badge>
  );
}

/** The server gives coverage and compliance in percent, to one decimal. */
export const percent = (value: number): string => `${value}%`;
