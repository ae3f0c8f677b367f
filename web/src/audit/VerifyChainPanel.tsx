import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useVerifyChain } from './queries.js';
import { VerificationResult } from './VerificationResult.js';

/** Asks the server to recompute the whole hash chain and shows what it found. */
export function VerifyChainPanel({ onOpenEvent }: { onOpenEvent: (seq: number) => void }) {
  const verify = useVerifyChain();
  return (
    <Paper withBorder p="md">
      <Stack>
        <Group justify="space-between">
          <div>
            <Text fw={600}>Chain integrity</Text>
            <Text size="sm" c="dimmed">
              Recomputes every event&apos;s hash and its link to the one before, from the first event on.
            </Text>
          </div>
          <Button loading={verify.isPending} onClick={() => verify.mutate()}>
            Verify chain
          </Button>
        </Group>
        <ErrorAlert error={verify.error} title="Verification failed to run" />
        {verify.data && <VerificationResult result={verify.data} onOpenEvent={onOpenEvent} />}
      </Stack>
    </Paper>
  );
}
