import { Badge, Table } from '@mantine/core';
import type { Participant } from '../api/types.js';
import { StatusButton } from './StatusButton.js';

interface Props {
  participants: readonly Participant[];
  canWrite: boolean;
}

export function ParticipantTable({ participants, canWrite }: Props) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped highlightOnHover aria-label="Participants">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Id</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Security contacts</Table.Th>
            {canWrite && <Table.Th aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {participants.map((participant) => (
            <Table.Tr key={participant.id} data-testid={`participant-row-${participant.id}`}>
              <Table.Td ff="monospace">{participant.id}</Table.Td>
              <Table.Td>{participant.name}</Table.Td>
              <Table.Td>{participant.kind}</Table.Td>
              <Table.Td>
                <Badge color={participant.status === 'active' ? 'green' : 'orange'} variant="light">
                  {participant.status}
                </Badge>
              </Table.Td>
              <Table.Td>{participant.securityContacts.length}</Table.Td>
              {canWrite && (
                <Table.Td>
                  <StatusButton participant={participant} />
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
