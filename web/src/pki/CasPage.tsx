import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { CaTable } from './CaTable.js';
import { CreateCaModal } from './CreateCaModal.js';
import { useCas } from './queries.js';

/** The hub's CA hierarchy with the public certificate and CRL links; PKI managers create roots and issuing CAs. */
export function CasPage() {
  const can = useCan();
  const canManage = can('pki:manage');
  const cas = useCas();
  const [creating, createForm] = useDisclosure(false);
  const items = cas.data?.items ?? [];
  const parents = items.filter((ca) => ca.source === 'cpm' && ca.status === 'active');

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Certificate authorities</Title>
        {canManage && <Button onClick={createForm.open}>Create CA</Button>}
      </Group>
      <ErrorAlert error={cas.error} title="Could not load the CAs" />
      {cas.data && <CaTable cas={items} />}
      {cas.data && items.length === 0 && (
        <Text c="dimmed">No CA yet: create a root CA, then an issuing CA under it.</Text>
      )}
      {canManage && creating && <CreateCaModal opened={creating} onClose={createForm.close} parents={parents} />}
    </Stack>
  );
}
