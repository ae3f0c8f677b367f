import { Table } from '@mantine/core';
import type { KeyVersion } from '../api/types.js';
import { formatTime } from '../ui/format.js';

export function KeyVersions({ versions }: { versions: readonly KeyVersion[] }) {
  return (
    <Table withTableBorder aria-label="Key versions">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Version</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th>Destroyed</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {versions.map((version) => (
          <Table.Tr key={version.version} data-testid={`key-version-${version.version}`}>
            <Table.Td>{version.version}</Table.Td>
            <Table.Td>{formatTime(version.createdAt)}</Table.Td>
            <Table.Td>{version.destroyedAt ? formatTime(version.destroyedAt) : '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
