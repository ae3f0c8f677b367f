import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useSession } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { reasonsFor } from './pki-terms.js';
import { useRevokeCertificate } from './queries.js';
import { ReasonSelect } from './ReasonSelect.js';
import type { Certificate, RevocationReason } from './types.js';

interface Props {
  certificate: Certificate;
  opened: boolean;
  onClose: () => void;
}

/** Revokes with an RFC 5280 reason after confirmation: the CRL is reissued and OCSP answers revoked at once. */
export function RevokeModal({ certificate, opened, onClose }: Props) {
  const session = useSession();
  const revoke = useRevokeCertificate(certificate.id);
  const reasons = reasonsFor((session.data?.actor.participantId ?? null) !== null);
  const [reason, setReason] = useState<RevocationReason>('unspecified');

  const close = () => {
    revoke.reset();
    setReason('unspecified');
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    revoke.mutate(reason, { onSuccess: close });
  };

  return (
    <Modal opened={opened} onClose={close} title="Revoke certificate" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label="Revoke certificate">
        <Stack>
          <Text size="sm">
            The {certificate.profile} certificate {certificate.serial} of {certificate.participantId} stops being
            trusted now: the CRL is reissued and OCSP answers revoked. This cannot be undone.
          </Text>
          <ReasonSelect reasons={reasons} value={reason} onChange={setReason} />
          <ErrorAlert error={revoke.error} title="Revoke failed" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={revoke.isPending}>
              Revoke
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
