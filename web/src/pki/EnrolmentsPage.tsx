import { Button, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { EnrolmentCard } from './EnrolmentCard.js';
import { useEnrolments } from './queries.js';
import { SubmitCsrModal } from './SubmitCsrModal.js';
import type { EnrolmentStatus } from './types.js';

const FILTERS: { value: EnrolmentStatus | 'all'; label: string }[] = [
  { value: 'pending', label: 'Pending' },
  { value: 'issued', label: 'Issued' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'all', label: 'All' },
];

/** CSRs waiting for an officer (and past decisions); participants submit theirs here. */
export function EnrolmentsPage() {
  const can = useCan();
  const [filter, setFilter] = useState<EnrolmentStatus | 'all'>('pending');
  const enrolments = useEnrolments(filter === 'all' ? null : filter);
  const [submitting, submitForm] = useDisclosure(false);
  const items = enrolments.data?.items ?? [];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Enrolment queue</Title>
        {can('pki:enrol') && <Button onClick={submitForm.open}>Submit CSR</Button>}
      </Group>
      <SegmentedControl
        aria-label="Enrolment status"
        data={FILTERS}
        value={filter}
        onChange={(value) => setFilter(FILTERS.find((one) => one.value === value)?.value ?? 'pending')}
        w="fit-content"
      />
      <ErrorAlert error={enrolments.error} title="Could not load the enrolments" />
      {items.map((enrolment) => (
        <EnrolmentCard key={enrolment.id} enrolment={enrolment} canDecide={can('pki:approve')} />
      ))}
      {enrolments.data && items.length === 0 && <Text c="dimmed">No enrolment here.</Text>}
      {can('pki:enrol') && <SubmitCsrModal opened={submitting} onClose={submitForm.close} />}
    </Stack>
  );
}
