import { Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { useCan } from '../session/queries.js';
import { ConfirmModal } from '../ui/ConfirmModal.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { useSubscriptions, useUnsubscribe } from './queries.js';
import { SubscribeModal } from './SubscribeModal.js';
import type { Subscription } from './types.js';

/** Webhook subscriptions: where notifications go, for which types and participants. */
export function WebhooksPage() {
  const canWrite = useCan()('notifications:subscribe');
  const subscriptions = useSubscriptions();
  const unsubscribe = useUnsubscribe();
  const [adding, addForm] = useDisclosure(false);
  const [removing, setRemoving] = useState<Subscription | null>(null);
  const items = subscriptions.data?.items ?? [];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Webhooks</Title>
        {canWrite && <Button onClick={addForm.open}>Add webhook</Button>}
      </Group>
      <ErrorAlert error={subscriptions.error} title="Could not load webhooks" />
      {subscriptions.data && items.length === 0 && <Text c="dimmed">No webhook yet.</Text>}
      {items.length > 0 && (
        <Table striped aria-label="Webhooks">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>URL</Table.Th>
              <Table.Th>Event types</Table.Th>
              <Table.Th>Participant</Table.Th>
              <Table.Th>Description</Table.Th>
              <Table.Th>Created</Table.Th>
              {canWrite && <Table.Th aria-label="Actions" />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((s) => (
              <Table.Tr key={s.id} data-testid={`webhook-${s.id}`}>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{s.url}</Table.Td>
                <Table.Td ff="monospace">{s.eventTypes.join(', ')}</Table.Td>
                <Table.Td>{s.participantId ?? 'all'}</Table.Td>
                <Table.Td>{s.description ?? '—'}</Table.Td>
                <Table.Td>{formatTime(s.createdAt)}</Table.Td>
                {canWrite && (
                  <Table.Td>
                    <Button size="xs" color="red" variant="light" onClick={() => setRemoving(s)}>
                      Delete
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canWrite && <SubscribeModal opened={adding} onClose={addForm.close} />}
      <ConfirmModal
        opened={removing !== null}
        title="Delete webhook"
        message={`Deliveries to ${removing?.url ?? ''} stop now; pending ones are cancelled.`}
        confirmLabel="Delete"
        color="red"
        loading={unsubscribe.isPending}
        error={unsubscribe.error}
        onConfirm={() =>
          removing &&
          unsubscribe.mutate(removing.id, {
            onSuccess: () => {
              unsubscribe.reset();
              setRemoving(null);
            },
          })
        }
        onClose={() => {
          unsubscribe.reset();
          setRemoving(null);
        }}
      />
    </Stack>
  );
}
