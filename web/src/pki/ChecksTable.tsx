import { Table } from '@mantine/core';
import { CheckBadge } from './badges.js';
import type { Check } from './types.js';

/** The CSR checks, one row each: what was checked, VALID / INVALID / NOT_AVAILABLE, and why. */
export function ChecksTable({ checks, label }: { checks: readonly Check[]; label: string }) {
  return (
    <Table withTableBorder layout="fixed" aria-label={label} verticalSpacing={4}>
      <Table.Tbody>
        {checks.map((check) => (
          <Table.Tr key={check.id}>
            <Table.Td w={290} ff="monospace" fz="xs">
              {check.id}
            </Table.Td>
            <Table.Td w={160}>
              <CheckBadge check={check} />
            </Table.Td>
            <Table.Td fz="sm" style={{ overflowWrap: 'anywhere' }}>
              {check.message}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
