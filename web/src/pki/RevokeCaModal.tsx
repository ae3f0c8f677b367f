import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { REVOCATION_REASONS } from './pki-terms.js';
import { useRevokeCa } from './queries.js';
import { ReasonSelect } from './ReasonSelect.js';
import type { Ca, RevocationReason } from './types.js';

interface Props {
  ca: Ca;
  /** The CA that signed it, whose CRL will list it. */
  parentName: string;
  onClose: () => void;
}

const REASONS = Object.keys(REVOCATION_REASONS) as RevocationReason[];

/**
 * Revokes an issuing CA with an RFC 5280 reason after saying what follows: the CA stops signing,
 * its certificate goes on its parent's CRL (reissued at once), so relying parties that check the
 * chain no longer trust anything it issued.
 */
export function RevokeCaModal({ ca, parentName, onClose }: Props) {
  const revoke = useRevokeCa(ca.id);
  const [reason, setReason] = useState<RevocationReason>('unspecified');

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    revoke.mutate(reason, { onSuccess: onClose });
  };

  return (
    <Modal opened onClose={onClose} title="Revoke CA" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label="Revoke CA">
        <Stack>
          <Text size="sm">
            The issuing CA {ca.name} ({ca.subject}) stops signing now. Its certificate goes on the CRL of {parentName},
            which is regenerated at once, so every certificate {ca.name} issued stops being trusted by relying parties
            that check the chain. This cannot be undone.
          </Text>
          <ReasonSelect reasons={REASONS} value={reason} onChange={setReason} />
          <ErrorAlert error={revoke.error} title="Revoke failed" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={revoke.isPending}>
              Revoke CA
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
