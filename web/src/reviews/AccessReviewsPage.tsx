import { Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router-dom';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { useCompleteReview, useReview, useReviews, useStartReview } from './queries.js';
import { ReviewEntries } from './ReviewEntries.js';

function ReviewPanel({ id, canConduct }: { id: string; canConduct: boolean }) {
  const detail = useReview(id);
  const complete = useCompleteReview(id);
  const review = detail.data?.review;
  return (
    <Stack data-testid="review-detail">
      <ErrorAlert error={detail.error} title="Could not load the review" />
      {review && detail.data && (
        <>
          <Group justify="space-between">
            <Text fw={600}>
              Review {review.id}: {review.kept} kept, {review.revoked} revoked, {review.undecided} undecided
            </Text>
            {canConduct && review.status === 'open' && (
              <Button disabled={review.undecided > 0} loading={complete.isPending} onClick={() => complete.mutate()}>
                Complete review
              </Button>
            )}
          </Group>
          <ErrorAlert error={complete.error} title="Not completed" />
          <ReviewEntries
            reviewId={review.id}
            entries={detail.data.entries}
            canDecide={canConduct && review.status === 'open'}
          />
        </>
      )}
    </Stack>
  );
}

/** PCI DSS 7.2.4: periodic reviews of every token and its role; a revoke decision revokes at once. */
export function AccessReviewsPage() {
  const canConduct = useCan()('access-reviews:conduct');
  const reviews = useReviews();
  const start = useStartReview();
  const [params, setParams] = useSearchParams();
  const open = params.get('review');
  const items = reviews.data?.items ?? [];
  const hasOpen = items.some((r) => r.status === 'open');

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Access reviews</Title>
        {canConduct && !hasOpen && (
          <Button
            loading={start.isPending}
            onClick={() => start.mutate(undefined, { onSuccess: (d) => setParams({ review: d.review.id }) })}
          >
            Start review
          </Button>
        )}
      </Group>
      <ErrorAlert error={reviews.error ?? start.error} title="Access reviews" />
      {reviews.data && items.length === 0 && <Text c="dimmed">No access review yet.</Text>}
      {items.length > 0 && (
        <Table striped highlightOnHover aria-label="Access reviews">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Entries</Table.Th>
              <Table.Th>Revoked</Table.Th>
              <Table.Th>Completed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id} onClick={() => setParams({ review: r.id })} style={{ cursor: 'pointer' }}>
                <Table.Td>{formatTime(r.startedAt)}</Table.Td>
                <Table.Td>
                  <Badge color={r.status === 'open' ? 'yellow' : 'green'} variant="light">
                    {r.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{r.entries}</Table.Td>
                <Table.Td>{r.revoked}</Table.Td>
                <Table.Td>{r.completedAt ? `${formatTime(r.completedAt)} by ${r.completedBy}` : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {open && <ReviewPanel id={open} canConduct={canConduct} />}
    </Stack>
  );
}
