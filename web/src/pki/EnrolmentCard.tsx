import { Anchor, Card, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { formatTime } from '../ui/format.js';
import { StatusBadge } from './badges.js';
import { ChecksTable } from './ChecksTable.js';
import { EnrolmentDecision } from './EnrolmentDecision.js';
import type { Enrolment } from './types.js';

/** One CSR in the queue: who asked for what, its checks, the approvals so far and, while pending, the officer's decision. */
export function EnrolmentCard({ enrolment, canDecide }: { enrolment: Enrolment; canDecide: boolean }) {
  const names = enrolment.dnsNames.length ? enrolment.dnsNames.join(', ') : 'no DNS names';
  return (
    <Card
      withBorder
      component="section"
      aria-label={`Enrolment ${enrolment.id}`}
      data-testid={`enrolment-${enrolment.id}`}
    >
      <Stack gap="xs">
        <Group justify="space-between">
          <Group gap="sm">
            <Text fw={600}>{enrolment.participantId}</Text>
            <Text ff="monospace">{enrolment.profile}</Text>
            <StatusBadge status={enrolment.status} />
          </Group>
          {canDecide && enrolment.status === 'pending' && <EnrolmentDecision enrolment={enrolment} />}
        </Group>
        <Text size="sm" data-testid="enrolment-summary">
          {enrolment.subject} · {names} · {enrolment.keyType} · submitted {formatTime(enrolment.createdAt)} by{' '}
          {enrolment.submittedBy} · approvals {enrolment.approvals.length} of {enrolment.requiredApprovals}
        </Text>
        {enrolment.reason && (
          <Text size="sm" c="red">
            Rejected: {enrolment.reason}
          </Text>
        )}
        {enrolment.certificateId && (
          <Anchor component={Link} to={`/certificates/issued?certificate=${enrolment.certificateId}`} size="sm">
            Certificate {enrolment.certificateId}
          </Anchor>
        )}
        <ChecksTable checks={enrolment.checks} label={`Checks of ${enrolment.id}`} />
      </Stack>
    </Card>
  );
}
