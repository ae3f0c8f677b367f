import { Button, Group, Pagination, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { AddParticipantModal } from './AddParticipantModal.js';
import { ParticipantTable } from './ParticipantTable.js';
import { PAGE_SIZE, useParticipants } from './queries.js';

/** The hub and its DFSPs; writers may register participants and suspend or reactivate them. */
export function ParticipantsPage() {
  const can = useCan();
  const canWrite = can('participants:write');
  const [page, setPage] = useState(1);
  const participants = useParticipants(page);
  const [adding, addForm] = useDisclosure(false);
  const total = participants.data?.total ?? 0;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Participants</Title>
        {canWrite && <Button onClick={addForm.open}>Add participant</Button>}
      </Group>
      <ErrorAlert error={participants.error} title="Could not load participants" />
      {participants.data && <ParticipantTable participants={participants.data.items} canWrite={canWrite} />}
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {total} participant{total === 1 ? '' : 's'}
        </Text>
        {total > PAGE_SIZE && <Pagination total={Math.ceil(total / PAGE_SIZE)} value={page} onChange={setPage} />}
      </Group>
      {canWrite && <AddParticipantModal opened={adding} onClose={addForm.close} />}
    </Stack>
  );
}
