import { Group, NativeSelect, Pagination, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { DeliveryCounts, SeverityBadge } from './badges.js';
import { NotificationDrawer } from './NotificationDrawer.js';
import { useNotifications } from './queries.js';
import type { NotificationFilter } from './types.js';

const PAGE_SIZE = 50;
const TYPES = [
  '',
  'controls.collector.failed',
  'pki.certificate.expiring',
  'pki.crl.expiring',
  'iam.access-review.completed',
];
const STATUSES = ['', 'pending', 'delivered', 'dead', 'cancelled'] as const;

/** The outbox: every notification the caller may see, newest first, with how its webhooks fared. */
export function NotificationsPage() {
  const [type, setType] = useState('');
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('');
  const [page, setPage] = useState(1);
  const filter: NotificationFilter = {
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    ...(type ? { type } : {}),
    ...(status ? { deliveryStatus: status } : {}),
  };
  const list = useNotifications(filter);
  const [params, setParams] = useSearchParams();
  const open = (id: string | null) => setParams(id === null ? {} : { notification: id });
  const total = list.data?.total ?? 0;

  return (
    <Stack>
      <Title order={2}>Notifications</Title>
      <Group>
        <NativeSelect
          label="Type"
          data={TYPES.map((value) => ({ value, label: value || 'all types' }))}
          value={type}
          onChange={(event) => {
            setType(event.currentTarget.value);
            setPage(1);
          }}
        />
        <NativeSelect
          label="Delivery status"
          data={STATUSES.map((value) => ({ value, label: value || 'any' }))}
          value={status}
          onChange={(event) => {
            setStatus(event.currentTarget.value as (typeof STATUSES)[number]);
            setPage(1);
          }}
        />
      </Group>
      <ErrorAlert error={list.error} title="Could not load notifications" />
      {list.data && list.data.items.length === 0 && <Text c="dimmed">No notification yet.</Text>}
      {list.data && list.data.items.length > 0 && (
        <Table striped highlightOnHover aria-label="Notifications">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Time</Table.Th>
              <Table.Th>Severity</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Participant</Table.Th>
              <Table.Th>Subject</Table.Th>
              <Table.Th>Deliveries</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((n) => (
              <Table.Tr
                key={n.id}
                data-testid={`notification-${n.id}`}
                onClick={() => open(n.id)}
                style={{ cursor: 'pointer' }}
              >
                <Table.Td>{formatTime(n.createdAt)}</Table.Td>
                <Table.Td>
                  <SeverityBadge severity={n.severity} />
                </Table.Td>
                <Table.Td ff="monospace">{n.type}</Table.Td>
                <Table.Td>{n.participantId ?? '—'}</Table.Td>
                <Table.Td>{n.subject}</Table.Td>
                <Table.Td>
                  <DeliveryCounts counts={n.deliveries} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {total} notification{total === 1 ? '' : 's'}
        </Text>
        {total > PAGE_SIZE && <Pagination total={Math.ceil(total / PAGE_SIZE)} value={page} onChange={setPage} />}
      </Group>
      <NotificationDrawer id={params.get('notification')} onClose={() => open(null)} />
    </Stack>
  );
}
