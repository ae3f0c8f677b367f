import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { usePendingCaRequests } from './queries.js';

interface Props {
  nameOf: (caId: string) => string;
  onOpen: (requestId: string) => void;
}

/** CA requests still waiting for the external CA's signature; each opens in the request drawer. */
export function PendingCaRequests({ nameOf, onOpen }: Props) {
  const pending = usePendingCaRequests();
  const items = pending.data?.items ?? [];
  if (!pending.error && items.length === 0) return null;
  return (
    <Stack gap="xs">
      <Title order={4}>CA requests waiting for a signature</Title>
      <ErrorAlert error={pending.error} title="Could not load the CA requests" />
      <Table striped aria-label="Pending CA requests">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Subject</Table.Th>
            <Table.Th>To be signed by</Table.Th>
            <Table.Th>Requested</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((request) => (
            <Table.Tr key={request.id}>
              <Table.Td>
                <Anchor component="button" type="button" onClick={() => onOpen(request.id)}>
                  {request.name}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{request.subject}</Text>
              </Table.Td>
              <Table.Td>{nameOf(request.parentId)}</Table.Td>
              <Table.Td>{formatTime(request.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
