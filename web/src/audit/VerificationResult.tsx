import { Alert, Button, Code, Group, Stack, Text } from '@mantine/core';
import type { Verification } from '../api/types.js';
import { formatTime } from '../ui/format.js';

/** What each break the server can report means for the person reading it. */
const REASONS: Record<string, string> = {
  'hash-mismatch': 'the event no longer matches its hash: it was altered after it was written',
  'previous-hash-mismatch': 'the event does not link to the one before it: events were replaced or reordered',
  'missing-event': 'an event is missing: one was deleted',
};

interface Props {
  result: Verification;
  /** Opens an event of the trail, so a reader can look at the one where the chain breaks. */
  onOpenEvent: (seq: number) => void;
}

export function VerificationResult({ result, onOpenEvent }: Props) {
  const checkedAt = `Checked ${formatTime(result.verifiedAt)}`;
  if (result.firstBadSeq !== null) {
    const badSeq = result.firstBadSeq;
    return (
      <Alert
        color="red"
        variant="filled"
        title={`Chain BROKEN at sequence ${badSeq}`}
        data-testid="verification-result"
        data-ok="false"
      >
        <Stack gap={4}>
          <Text size="sm">{result.reason ? (REASONS[result.reason] ?? result.reason) : 'no reason given'}</Text>
          <Group justify="space-between">
            <Text size="sm">
              {result.checked} event{result.checked === 1 ? '' : 's'} before it verified. {checkedAt}.
            </Text>
            <Button size="xs" variant="white" color="red" onClick={() => onOpenEvent(badSeq)}>
              Open event {badSeq}
            </Button>
          </Group>
        </Stack>
      </Alert>
    );
  }
  return (
    <Alert color="green" variant="light" title="Chain intact" data-testid="verification-result" data-ok="true">
      <Stack gap={4}>
        <Text size="sm">
          All {result.checked} events verified, up to #{result.headSeq}. {checkedAt}.
        </Text>
        <Text size="sm">
          Head hash <Code>{result.headHash ?? 'none (the trail is empty)'}</Code>
        </Text>
      </Stack>
    </Alert>
  );
}
