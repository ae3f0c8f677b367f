import {
  Alert,
  Button,
  Code,
  CopyButton,
  Drawer,
  FileButton,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { StatusBadge } from './badges.js';
import { useCaRequest, useCas, useCompleteCaRequest } from './queries.js';
import type { CaRequest } from './types.js';

interface Props {
  id: string | null;
  onClose: () => void;
}

/** Saves text as a file through a short-lived object URL (nothing leaves the browser). */
function download(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The certificate the external CA signed, pasted or read from a file, handed back to the server. */
function UploadCertificate({ request }: { request: CaRequest }) {
  const complete = useCompleteCaRequest(request.id);
  const [pem, setPem] = useState('');

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    complete.mutate(pem.trim() + '\n');
  };
  const change = (next: string) => {
    complete.reset();
    setPem(next);
  };

  return (
    <form onSubmit={submit} aria-label="Upload signed certificate">
      <Stack>
        <Textarea
          label="Signed certificate (PEM)"
          description="The one certificate the external CA issued for this CSR (a CA certificate)"
          autosize
          minRows={6}
          maxRows={14}
          ff="monospace"
          placeholder="-----BEGIN CERTIFICATE-----"
          value={pem}
          onChange={(event) => change(event.currentTarget.value)}
        />
        <ErrorAlert error={complete.error} title="Certificate refused" />
        <Group justify="flex-end">
          <FileButton
            onChange={(file) => void file?.text().then(change)}
            accept=".pem,.crt,.cer,application/x-pem-file"
          >
            {(props) => (
              <Button variant="default" {...props}>
                Read from file
              </Button>
            )}
          </FileButton>
          <Button type="submit" disabled={!pem.trim()} loading={complete.isPending}>
            Upload certificate
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Details({ request, canManage }: { request: CaRequest; canManage: boolean }) {
  const cas = useCas();
  const nameOf = (id: string | null) => (id === null ? null : (cas.data?.items.find((ca) => ca.id === id)?.name ?? id));
  const rows: [string, ReactNode][] = [
    ['Id', request.id],
    ['Name', request.name],
    ['External parent CA', nameOf(request.parentId)],
    ['Key type', request.keyType],
    ['CPM key', request.keyId],
    ['Subject', request.subject],
    ['Status', <StatusBadge status={request.status} />],
    ['Requested', formatTime(request.createdAt)],
    ['Issuing CA', nameOf(request.caId)],
  ];
  return (
    <Stack data-testid="ca-request-detail">
      {request.status === 'completed' && (
        <Alert color="green" variant="light" title="Issuing CA active">
          {request.name} is active under {nameOf(request.parentId)}; it can issue participant certificates now.
        </Alert>
      )}
      <Table variant="vertical" layout="fixed" withTableBorder aria-label="CA request properties">
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={170}>{label}</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{value ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group justify="space-between">
        <Text fw={600}>CSR (PEM)</Text>
        <Group gap="xs">
          <CopyButton value={request.csrPem}>
            {({ copied, copy }) => (
              <Button size="compact-sm" variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy CSR'}
              </Button>
            )}
          </CopyButton>
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => download(request.csrPem, `${request.name}.csr`, 'application/pkcs10')}
          >
            Download CSR
          </Button>
        </Group>
      </Group>
      <Code block data-testid="ca-request-csr">
        {request.csrPem}
      </Code>
      {request.status === 'pending' && (
        <Text size="sm" c="dimmed">
          Have the external CA sign it as a CA certificate (basicConstraints CA:TRUE; keyUsage keyCertSign and cRLSign),
          then upload the certificate it returns.
        </Text>
      )}
      {request.status === 'pending' && canManage && <UploadCertificate request={request} />}
    </Stack>
  );
}

/** A CA request under an external root, named in the URL: its CSR to take outside and the upload of the signed certificate. */
export function CaRequestDrawer({ id, onClose }: Props) {
  const can = useCan();
  // Keeps the last request shown while the drawer slides out after `id` went back to null.
  const [shownId, setShownId] = useState(id);
  if (id !== null && id !== shownId) setShownId(id);
  const request = useCaRequest(shownId);
  return (
    <Drawer
      opened={id !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={request.data ? `CA request ${request.data.name}` : 'CA request'}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {request.isLoading && <Loader aria-label="Loading CA request" />}
      <ErrorAlert error={request.error} title="Could not load the CA request" />
      {request.data && <Details request={request.data} canManage={can('pki:manage')} />}
    </Drawer>
  );
}
