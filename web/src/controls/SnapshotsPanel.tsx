import { Stack, Table, Text, Title } from '@mantine/core';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { percent } from './badges.js';
import { useSnapshots } from './queries.js';

/** Every sign-off, frozen: who took it, when, and the results then. */
export function SnapshotsPanel({ id }: { id: string }) {
  const snapshots = useSnapshots(id);
  const items = snapshots.data?.items ?? [];
  return (
    <Stack>
      <Title order={4}>Snapshots</Title>
      <ErrorAlert error={snapshots.error} title="Could not load snapshots" />
      {snapshots.data && items.length === 0 && (
        <Text size="sm" c="dimmed">
          Not signed off yet.
        </Text>
      )}
      {items.length > 0 && (
        <Table aria-label="Snapshots" data-testid="snapshots">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Taken</Table.Th>
              <Table.Th>Coverage</Table.Th>
              <Table.Th>Compliance</Table.Th>
              <Table.Th>Non-compliant</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((snapshot) => (
              <Table.Tr key={snapshot.version} data-testid={`snapshot-v${snapshot.version}`}>
                <Table.Td>v{snapshot.version}</Table.Td>
                <Table.Td>
                  {formatTime(snapshot.takenAt)}
                  <Text size="xs" c="dimmed">
                    by {snapshot.takenBy}
                  </Text>
                </Table.Td>
                <Table.Td>{percent(snapshot.summary.coverage)}</Table.Td>
                <Table.Td>{percent(snapshot.summary.compliance)}</Table.Td>
                <Table.Td>{snapshot.summary.counts['non-compliant']}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
