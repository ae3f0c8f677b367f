import { Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useImportCa } from './queries.js';

interface Props {
  onClose: () => void;
}

/**
 * Imports a CA the scheme already runs (its certificate only; the key stays outside) as a trust
 * anchor; an issuing CA can then be requested under it.
 */
export function ImportCaModal({ onClose }: Props) {
  const importCa = useImportCa();
  const [name, setName] = useState('');
  const [certificatePem, setCertificatePem] = useState('');

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    importCa.mutate({ name: name.trim(), certificatePem: certificatePem.trim() + '\n' }, { onSuccess: onClose });
  };

  return (
    <Modal opened onClose={onClose} title="Import CA" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label="Import CA">
        <Stack>
          <TextInput
            label="Name"
            description="e.g. scheme-root"
            required
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
          />
          <Textarea
            label="CA certificate (PEM)"
            description="Only the certificate: its private key stays with the CA that runs it"
            required
            autosize
            minRows={6}
            maxRows={14}
            ff="monospace"
            placeholder="-----BEGIN CERTIFICATE-----"
            value={certificatePem}
            onChange={(event) => setCertificatePem(event.currentTarget.value)}
          />
          <ErrorAlert error={importCa.error} title="CA not imported" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={importCa.isPending}>
              Import
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
