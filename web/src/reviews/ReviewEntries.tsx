import { Badge, Button, Group, Table, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { paths } from '../api/schema.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { useDecide } from './queries.js';

type Entry =
  paths['/api/v1/access-reviews/{id}']['get']['responses'][200]['content']['application/json']['entries'][number];

function EntryRow({ reviewId, entry, canDecide }: { reviewId: string; entry: Entry; canDecide: boolean }) {
  const decide = useDecide(reviewId);
  const [reason, setReason] = useState('');
  return (
    <Table.Tr data-testid={`entry-${entry.tokenId}`}>
      <Table.Td ff="monospace">{entry.tokenId}</Table.Td>
      <Table.Td>{entry.tokenName}</Table.Td>
      <Table.Td>{entry.role}</Table.Td>
      <Table.Td>{entry.participantId ?? 'hub'}</Table.Td>
      <Table.Td>{entry.lastUsedAt ? formatTime(entry.lastUsedAt) : 'never'}</Table.Td>
      <Table.Td>
        {entry.decision ? (
          <Badge color={entry.decision === 'keep' ? 'green' : 'red'} variant="light" data-decision={entry.decision}>
            {entry.decision}
            {entry.reason ? `: ${entry.reason}` : ''}
          </Badge>
        ) : canDecide ? (
          <Group gap="xs" wrap="nowrap">
            <Button
              size="xs"
              variant="light"
              onClick={() => decide.mutate({ tokenId: entry.tokenId, decision: 'keep' })}
            >
              Keep
            </Button>
            <TextInput
              size="xs"
              placeholder="reason to revoke"
              aria-label={`Reason to revoke ${entry.tokenName}`}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
            />
            <Button
              size="xs"
              color="red"
              variant="light"
              disabled={reason.trim() === ''}
              onClick={() => decide.mutate({ tokenId: entry.tokenId, decision: 'revoke', reason: reason.trim() })}
            >
              Revoke
            </Button>
          </Group>
        ) : (
          <Badge color="gray" variant="outline">
            undecided
          </Badge>
        )}
        <ErrorAlert error={decide.error} title="Decision refused" />
      </Table.Td>
    </Table.Tr>
  );
}

/** Who had what when the review started, and the decision about each. */
export function ReviewEntries({
  reviewId,
  entries,
  canDecide,
}: {
  reviewId: string;
  entries: Entry[];
  canDecide: boolean;
}) {
  return (
    <Table withTableBorder aria-label="Review entries">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Token</Table.Th>
          <Table.Th>Name</Table.Th>
          <Table.Th>Role</Table.Th>
          <Table.Th>Participant</Table.Th>
          <Table.Th>Last used</Table.Th>
          <Table.Th>Decision</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((entry) => (
          <EntryRow key={entry.tokenId} reviewId={reviewId} entry={entry} canDecide={canDecide} />
        ))}
      </Table.Tbody>
    </Table>
  );
}
