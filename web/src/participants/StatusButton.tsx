import { Button, Group, Text } from '@mantine/core';
import type { Participant } from '../api/types.js';
import { useSetParticipantStatus } from './queries.js';

/** Suspends an active participant or reactivates a suspended one; a refusal shows beside the button. */
export function StatusButton({ participant }: { participant: Participant }) {
  const setStatus = useSetParticipantStatus();
  const suspend = participant.status === 'active';
  const verb = suspend ? 'Suspend' : 'Reactivate';
  return (
    <Group gap="xs" wrap="nowrap">
      <Button
        size="xs"
        variant="light"
        color={suspend ? 'orange' : 'green'}
        aria-label={`${verb} ${participant.id}`}
        loading={setStatus.isPending}
        onClick={() => setStatus.mutate({ id: participant.id, status: suspend ? 'suspended' : 'active' })}
      >
        {verb}
      </Button>
      {setStatus.error && (
        <Text size="xs" c="red" role="alert">
          {setStatus.error.message}
        </Text>
      )}
    </Group>
  );
}
