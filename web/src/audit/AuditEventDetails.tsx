import { Code, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { AuditEvent } from '../api/types.js';
import { formatTime } from '../ui/format.js';
import { OutcomeBadge } from './OutcomeBadge.js';

/** Every field of one event as stored, its details, and the two hashes that link it into the chain. */
export function AuditEventDetails({ event }: { event: AuditEvent }) {
  const { actor, resource } = event;
  const rows: [string, ReactNode][] = [
    ['Id', event.id],
    ['Time', formatTime(event.time)],
    ['Actor', `${actor.type}:${actor.id}${actor.role ? ` (${actor.role})` : ''}`],
    ['Action', event.action],
    ['Resource', resource.id ? `${resource.type} ${resource.id}` : resource.type],
    ['Outcome', <OutcomeBadge outcome={event.outcome} />],
    ['Error code', event.errorCode],
    ['Participant', event.participantId],
    ['Request id', event.requestId],
    ['Source IP', event.sourceIp],
    ['User agent', event.userAgent],
    ['UI session', event.sessionId],
    ['Service', `${event.service} on ${event.host}`],
  ];
  return (
    <Stack data-testid="audit-event-detail">
      <Table variant="vertical" layout="fixed" withTableBorder>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={130}>{label}</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{value ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text fw={600}>Details</Text>
      <Code block>{JSON.stringify(event.details, null, 2)}</Code>
      <Text fw={600}>Previous hash</Text>
      <Code block data-testid="audit-event-prev-hash">
        {event.prevHash}
      </Code>
      <Text fw={600}>Hash</Text>
      <Code block data-testid="audit-event-hash">
        {event.hash}
      </Code>
    </Stack>
  );
}
