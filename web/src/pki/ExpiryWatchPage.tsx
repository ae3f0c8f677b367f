import { Group, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { CertificateDrawer } from './CertificateDrawer.js';
import { CertificateTable } from './CertificateTable.js';
import { useExpiring } from './queries.js';

const WINDOWS = ['7', '30', '60', '90'];

/** Valid certificates expiring within N days, counted per participant and profile, soonest first. */
export function ExpiryWatchPage() {
  const [withinDays, setWithinDays] = useState('30');
  const report = useExpiring(Number(withinDays));
  const [params, setParams] = useSearchParams();
  const open = (id: string | null) => setParams(id === null ? {} : { certificate: id });
  const groups = report.data?.groups ?? [];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Expiry watch</Title>
        <NativeSelect
          label="Expiring within (days)"
          data={WINDOWS}
          value={withinDays}
          onChange={(event) => setWithinDays(event.currentTarget.value)}
        />
      </Group>
      <ErrorAlert error={report.error} title="Could not load the expiry report" />
      {report.data && groups.length === 0 && (
        <Text c="dimmed">No valid certificate expires within {report.data.withinDays} days.</Text>
      )}
      {groups.length > 0 && (
        <Table withTableBorder aria-label="Expiring per participant and profile">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Participant</Table.Th>
              <Table.Th>Profile</Table.Th>
              <Table.Th>Certificates</Table.Th>
              <Table.Th>Soonest expiry</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groups.map((group) => (
              <Table.Tr key={`${group.participantId}/${group.profile}`}>
                <Table.Td>{group.participantId}</Table.Td>
                <Table.Td ff="monospace">{group.profile}</Table.Td>
                <Table.Td>{group.count}</Table.Td>
                <Table.Td>{formatTime(group.soonest)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {report.data && report.data.certificates.length > 0 && (
        <CertificateTable certificates={report.data.certificates} onOpen={open} label="Expiring certificates" />
      )}
      <CertificateDrawer id={params.get('certificate')} onClose={() => open(null)} />
    </Stack>
  );
}
