import { Button, Code, Drawer, Loader, Stack, Table, Text } from '@mantine/core';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { DeliveryBadge, SeverityBadge } from './badges.js';
import { useNotification, useRedeliver } from './queries.js';
import type { Delivery } from './types.js';

function DeliveryRow({ delivery, canRedeliver }: { delivery: Delivery; canRedeliver: boolean }) {
  const redeliver = useRedeliver();
  const last = delivery.history[delivery.history.length - 1];
  return (
    <Table.Tr data-testid={`delivery-${delivery.id}`}>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{delivery.url}</Table.Td>
      <Table.Td>
        <DeliveryBadge status={delivery.status} />
      </Table.Td>
      <Table.Td>{delivery.history.length}</Table.Td>
      <Table.Td>{last ? `${last.statusCode ?? '—'} ${last.error ?? ''}`.trim() : '—'}</Table.Td>
      <Table.Td>{delivery.nextAttemptAt ? formatTime(delivery.nextAttemptAt) : '—'}</Table.Td>
      {canRedeliver && (
        <Table.Td>
          {(delivery.status === 'dead' || delivery.status === 'delivered') && (
            <Button
              size="xs"
              variant="light"
              loading={redeliver.isPending}
              onClick={() => redeliver.mutate(delivery.id)}
            >
              Redeliver
            </Button>
          )}
          <ErrorAlert error={redeliver.error} title="Redelivery refused" />
        </Table.Td>
      )}
    </Table.Tr>
  );
}

/** One notification: its payload, and each webhook delivery with its attempts. */
export function NotificationDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const detail = useNotification(id);
  const canRedeliver = useCan()('notifications:subscribe');
  const notification = detail.data?.notification;
  return (
    <Drawer opened={id !== null} onClose={onClose} position="right" size="xl" title="Notification">
      {detail.isLoading && <Loader />}
      <ErrorAlert error={detail.error} title="Could not load the notification" />
      {notification && detail.data && (
        <Stack data-testid="notification-detail">
          <Text fw={600}>
            <SeverityBadge severity={notification.severity} /> {notification.subject}
          </Text>
          <Text size="sm" c="dimmed">
            {notification.type} · {notification.participantId ?? 'scheme-wide'} · {formatTime(notification.createdAt)}
          </Text>
          <Code block>{JSON.stringify(notification.payload, null, 2)}</Code>
          <Text fw={600}>Deliveries</Text>
          {detail.data.deliveries.length === 0 ? (
            <Text c="dimmed">No webhook subscribed to this notification.</Text>
          ) : (
            <Table withTableBorder aria-label="Deliveries">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Webhook</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <Table.Th>Last answer</Table.Th>
                  <Table.Th>Next attempt</Table.Th>
                  {canRedeliver && <Table.Th aria-label="Actions" />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {detail.data.deliveries.map((delivery) => (
                  <DeliveryRow key={delivery.id} delivery={delivery} canRedeliver={canRedeliver} />
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      )}
    </Drawer>
  );
}
