import { Table, Text } from '@mantine/core';
import type { KeyDetail } from '../api/types.js';

/** How many times each operation ran with the key, as counted by the server. */
export function KeyUsage({ usage }: { usage: KeyDetail['usage'] }) {
  const counts = Object.entries(usage);
  if (counts.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Not used yet.
      </Text>
    );
  }
  return (
    <Table withTableBorder aria-label="Key usage">
      <Table.Tbody>
        {counts.map(([operation, count]) => (
          <Table.Tr key={operation}>
            <Table.Th w={190}>{operation}</Table.Th>
            <Table.Td>{count}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
