import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useSearchParams } from 'react-router-dom';
import { KeystorePanel } from '../keystore/KeystorePanel.js';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { CreateKeyModal } from './CreateKeyModal.js';
import { KeyDrawer } from './KeyDrawer.js';
import { KeyTable } from './KeyTable.js';
import { useKeys } from './queries.js';

/** The keystore's state and the keys the caller may see; writers create keys and take them through their lifecycle. */
export function KeysPage() {
  const can = useCan();
  const canWrite = can('keys:write');
  const keys = useKeys();
  const [creating, createForm] = useDisclosure(false);
  const [params, setParams] = useSearchParams();
  const items = keys.data?.items ?? [];

  // The open key lives in the URL (`?key=<id>`), like the audit page's open event.
  const openKey = (id: string | null) => setParams(id === null ? {} : { key: id });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Keys</Title>
        {canWrite && <Button onClick={createForm.open}>Create key</Button>}
      </Group>
      {/* Participants may use their keys but not see the keystore itself. */}
      {can('keystore:read') && <KeystorePanel />}
      <ErrorAlert error={keys.error} title="Could not load keys" />
      {keys.data && <KeyTable keys={items} onOpen={openKey} />}
      {keys.data && items.length === 0 && <Text c="dimmed">No key yet.</Text>}
      {canWrite && <CreateKeyModal opened={creating} onClose={createForm.close} />}
      <KeyDrawer id={params.get('key')} onClose={() => openKey(null)} />
    </Stack>
  );
}
