import { Alert, Group, Stack, Text } from '@mantine/core';
import type { KeystoreStatus } from '../api/types.js';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useKeystore } from './queries.js';
import { SealButton } from './SealButton.js';
import { UnsealForm } from './UnsealForm.js';

/** Custodian shares open a software keystore; a PKCS#11 token is opened by the server's login at start. */
const usesShares = (status: KeystoreStatus): boolean => status.backend !== 'pkcs11';

function describe(status: KeystoreStatus): string {
  if (!usesShares(status)) {
    return status.sealed
      ? `Backend ${status.backend}: the server is not logged in to the token; restart it with TRUSTLOOP_PKCS11_PIN set.`
      : `Backend ${status.backend}: keys are generated and used inside the token and never leave it.`;
  }
  if (!status.initialized) return `Backend ${status.backend}. Not initialised: run the key ceremony first.`;
  const custodians = `${status.threshold ?? '?'} of ${status.shares ?? '?'} custodian shares open it`;
  if (!status.sealed) return `Backend ${status.backend}. ${custodians}.`;
  return `Backend ${status.backend}. ${status.progress} of ${status.threshold ?? '?'} shares presented; ${custodians}.`;
}

/** Whether keys can be used at all right now, and, for custodians, the way to open or close the keystore. */
export function KeystorePanel() {
  const can = useCan();
  const keystore = useKeystore();
  const status = keystore.data;
  const canManage = can('keystore:manage');

  if (!status) return <ErrorAlert error={keystore.error} title="Could not load the keystore status" />;
  return (
    <Alert
      color={status.sealed ? 'red' : 'green'}
      variant="light"
      title={status.sealed ? 'Keystore sealed' : 'Keystore unsealed'}
      data-testid="keystore-status"
      data-sealed={String(status.sealed)}
    >
      <Stack gap="sm">
        <Group justify="space-between">
          <Text size="sm" data-testid="keystore-summary">
            {describe(status)}
          </Text>
          {canManage && !status.sealed && usesShares(status) && <SealButton />}
        </Group>
        {canManage && status.sealed && status.initialized && usesShares(status) && <UnsealForm />}
      </Stack>
    </Alert>
  );
}
