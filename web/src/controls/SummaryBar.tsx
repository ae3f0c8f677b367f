import { Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { percent, resultColor } from './badges.js';
import { RESULTS, type Summary } from './types.js';

/** Coverage and compliance in figures, and every result's share as one stacked bar. */
export function SummaryBar({ summary }: { summary: Summary }) {
  return (
    <Stack gap={4} data-testid="assessment-summary">
      <Group gap="lg">
        <Text size="sm">
          Coverage <b data-testid="coverage">{percent(summary.coverage)}</b>
        </Text>
        <Text size="sm">
          Compliance <b data-testid="compliance">{percent(summary.compliance)}</b>
        </Text>
        {RESULTS.map((result) => (
          <Text key={result} size="sm" data-testid={`count-${result}`}>
            {result}: {summary.counts[result]}
          </Text>
        ))}
      </Group>
      <Progress.Root size="lg" aria-label="Results">
        {RESULTS.filter((result) => summary.counts[result] > 0).map((result) => (
          <Tooltip key={result} label={`${result}: ${summary.counts[result]}`}>
            <Progress.Section value={(summary.counts[result] / summary.total) * 100} color={resultColor(result)} />
          </Tooltip>
        ))}
      </Progress.Root>
    </Stack>
  );
}
