import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState, type FormEvent } from 'react';
import { ConfirmModal } from '../ui/ConfirmModal.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useApproveEnrolment, useRejectEnrolment } from './queries.js';
import type { Enrolment } from './types.js';

/**
 * An officer's approve / reject on a pending enrolment, each after a confirmation. Under dual
 * control the first approval only records itself; the server refuses a second approval by the same
 * person or by the submitter.
 */
export function EnrolmentDecision({ enrolment }: { enrolment: Enrolment }) {
  const approve = useApproveEnrolment(enrolment.id);
  const reject = useRejectEnrolment(enrolment.id);
  const [approving, approveModal] = useDisclosure(false);
  const [rejecting, rejectModal] = useDisclosure(false);
  const [reason, setReason] = useState('');
  const last = enrolment.approvals.length + 1 >= enrolment.requiredApprovals;

  const closeApprove = () => {
    approve.reset();
    approveModal.close();
  };
  const closeReject = () => {
    reject.reset();
    setReason('');
    rejectModal.close();
  };
  const submitReject = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    reject.mutate(reason.trim(), { onSuccess: closeReject });
  };

  return (
    <Group>
      <Button color="green" variant="light" onClick={approveModal.open}>
        Approve
      </Button>
      <Button color="red" variant="subtle" onClick={rejectModal.open}>
        Reject
      </Button>
      <ConfirmModal
        opened={approving}
        title="Approve enrolment"
        message={
          last
            ? `A ${enrolment.profile} certificate is issued to ${enrolment.participantId} for ${enrolment.subject} now.`
            : `Your approval is recorded; another officer must approve before the certificate is issued.`
        }
        confirmLabel="Approve"
        color="green"
        loading={approve.isPending}
        error={approve.error}
        onConfirm={() => approve.mutate(undefined, { onSuccess: closeApprove })}
        onClose={closeApprove}
      />
      <Modal
        opened={rejecting}
        onClose={closeReject}
        title="Reject enrolment"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <form onSubmit={submitReject} aria-label="Reject enrolment">
          <Stack>
            <Text size="sm">
              Nothing is issued; {enrolment.participantId} sees the reason and can submit a new CSR.
            </Text>
            <Textarea
              label="Reason"
              required
              maxLength={500}
              value={reason}
              onChange={(event) => setReason(event.currentTarget.value)}
            />
            <ErrorAlert error={reject.error} title="Reject failed" />
            <Group justify="flex-end">
              <Button variant="default" onClick={closeReject}>
                Cancel
              </Button>
              <Button type="submit" color="red" loading={reject.isPending} disabled={!reason.trim()}>
                Reject
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Group>
  );
}
