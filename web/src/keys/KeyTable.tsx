import { Anchor, Table } from '@mantine/core';
import type { KeyView } from '../api/types.js';
import { KeyStatusBadge } from './KeyStatusBadge.js';
import { RotationBadge } from './RotationBadge.js';

interface Props {
  keys: readonly KeyView[];
  onOpen: (id: string) => void;
}

export function KeyTable({ keys, onOpen }: Props) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover aria-label="Keys">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Purpose</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Latest version</Table.Th>
            <Table.Th>Age</Table.Th>
            <Table.Th>Rotation</Table.Th>
            <Table.Th>Owner</Table.Th>
            <Table.Th>Backend</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((key) => (
            <Table.Tr
              key={key.id}
              data-testid={`key-row-${key.id}`}
              style={{ cursor: 'pointer' }}
              onClick={() => onOpen(key.id)}
            >
              <Table.Td>
                {/* The whole row opens the key; this button makes it reachable by keyboard (its click bubbles). */}
                <Anchor component="button" type="button" aria-label={`Open key ${key.name}`}>
                  {key.name}
                </Anchor>
              </Table.Td>
              <Table.Td ff="monospace">{key.type}</Table.Td>
              <Table.Td>{key.purpose}</Table.Td>
              <Table.Td>
                <KeyStatusBadge status={key.status} />
              </Table.Td>
              <Table.Td>{key.latestVersion}</Table.Td>
              <Table.Td>{key.ageDays} d</Table.Td>
              <Table.Td>
                <RotationBadge keyView={key} />
              </Table.Td>
              <Table.Td>{key.ownerParticipantId ?? 'hub'}</Table.Td>
              <Table.Td>{key.backend}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
