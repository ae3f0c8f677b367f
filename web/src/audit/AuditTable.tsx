import { Anchor, Table, Text } from '@mantine/core';
import type { AuditEvent } from '../api/types.js';
import { formatTime } from '../ui/format.js';
import { OutcomeBadge } from './OutcomeBadge.js';

interface Props {
  events: readonly AuditEvent[];
  onOpen: (seq: number) => void;
}

export function AuditTable({ events, onOpen }: Props) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover aria-label="Audit events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Seq</Table.Th>
            <Table.Th>Time</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Resource</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Participant</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((event) => (
            <Table.Tr
              key={event.seq}
              data-testid={`audit-row-${event.seq}`}
              style={{ cursor: 'pointer' }}
              onClick={() => onOpen(event.seq)}
            >
              <Table.Td>
                {/* The whole row opens the event; this button makes it reachable by keyboard (its click bubbles). */}
                <Anchor component="button" type="button" aria-label={`Open event ${event.seq}`}>
                  {event.seq}
                </Anchor>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTime(event.time)}</Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {event.actor.id}
                </Text>
                <Text size="xs" c="dimmed">
                  {event.actor.role ?? event.actor.type}
                </Text>
              </Table.Td>
              <Table.Td ff="monospace">{event.action}</Table.Td>
              <Table.Td>
                {event.resource.type}
                {event.resource.id && (
                  <Text span size="sm" ff="monospace" c="dimmed">
                    {' '}
                    {event.resource.id}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <OutcomeBadge outcome={event.outcome} />
              </Table.Td>
              <Table.Td>{event.participantId ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
