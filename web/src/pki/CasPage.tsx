import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { CaRequestDrawer } from './CaRequestDrawer.js';
import { CaTable } from './CaTable.js';
import { CreateCaModal } from './CreateCaModal.js';
import { ImportCaModal } from './ImportCaModal.js';
import { ImportCrlModal } from './ImportCrlModal.js';
import { useCas } from './queries.js';
import { PendingCaRequests } from './PendingCaRequests.js';
import { RequestCaModal } from './RequestCaModal.js';
import { RevokeCaModal } from './RevokeCaModal.js';
import type { Ca } from './types.js';

/**
 * The hub's CA hierarchy with the public certificate and CRL links. PKI managers create roots and
 * issuing CAs, import an external CA, request an issuing CA under it, and revoke issuing CAs.
 */
export function CasPage() {
  const can = useCan();
  const canManage = can('pki:manage');
  const cas = useCas();
  const [creating, createForm] = useDisclosure(false);
  const [importing, importForm] = useDisclosure(false);
  const [requesting, requestForm] = useDisclosure(false);
  const [revoking, setRevoking] = useState<Ca | null>(null);
  const [importingCrl, setImportingCrl] = useState<Ca | null>(null);
  // The open CA request lives in the URL (`?request=<id>`): its CSR can be fetched again after a reload.
  const [params, setParams] = useSearchParams();
  const openRequest = (id: string | null) => setParams(id === null ? {} : { request: id });
  const items = cas.data?.items ?? [];
  const parents = items.filter((ca) => ca.source === 'cpm' && ca.status === 'active');
  const externalParents = items.filter(
    (ca) => ca.source === 'external' && ca.status === 'active' && (ca.pathLength === null || ca.pathLength > 0),
  );
  const nameOf = (id: string | null) => items.find((ca) => ca.id === id)?.name ?? id ?? '';

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Certificate authorities</Title>
        {canManage && (
          <Group gap="xs">
            <Button variant="default" onClick={importForm.open}>
              Import CA
            </Button>
            {externalParents.length > 0 && (
              <Button variant="default" onClick={requestForm.open}>
                Request CA from external root
              </Button>
            )}
            <Button onClick={createForm.open}>Create CA</Button>
          </Group>
        )}
      </Group>
      <ErrorAlert error={cas.error} title="Could not load the CAs" />
      {cas.data && (
        <CaTable
          cas={items}
          onRevoke={canManage ? setRevoking : undefined}
          onImportCrl={canManage ? setImportingCrl : undefined}
        />
      )}
      <PendingCaRequests nameOf={nameOf} onOpen={openRequest} />
      {cas.data && items.length === 0 && (
        <Text c="dimmed">No CA yet: create a root CA, then an issuing CA under it.</Text>
      )}
      {canManage && creating && <CreateCaModal opened={creating} onClose={createForm.close} parents={parents} />}
      {canManage && importing && <ImportCaModal onClose={importForm.close} />}
      {canManage && requesting && (
        <RequestCaModal
          parents={externalParents}
          onClose={requestForm.close}
          onRequested={(request) => {
            requestForm.close();
            openRequest(request.id);
          }}
        />
      )}
      {revoking && (
        <RevokeCaModal ca={revoking} parentName={nameOf(revoking.parentId)} onClose={() => setRevoking(null)} />
      )}
      {importingCrl && <ImportCrlModal ca={importingCrl} onClose={() => setImportingCrl(null)} />}
      <CaRequestDrawer id={params.get('request')} onClose={() => openRequest(null)} />
    </Stack>
  );
}
