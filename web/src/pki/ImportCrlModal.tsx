import { Button, FileButton, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useImportCrl } from './queries.js';
import type { Ca } from './types.js';

interface Props {
  ca: Ca;
  onClose: () => void;
}

/** A CRL file as the server takes it: PEM as text, DER as base64. */
async function crlText(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 64)).trimStart();
  if (head.startsWith('-----')) return new TextDecoder().decode(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Imports the current CRL of an external CA. Certificates whose chain runs through that CA are
 * accepted by the mTLS listener only while an unexpired CRL from it is held here.
 */
export function ImportCrlModal({ ca, onClose }: Props) {
  const importCrl = useImportCrl(ca.id);
  const [crl, setCrl] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);

  const choose = async (file: File | null) => {
    if (!file) return;
    setFileName(file.name);
    setCrl(await crlText(file));
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    importCrl.mutate(crl.trim(), { onSuccess: onClose });
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={`Import CRL of ${ca.name}`}
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={submit} aria-label="Import CRL">
        <Stack>
          <Text size="sm">
            The CRL must be signed by {ca.name}, complete (not a delta) and newer than the one held (number{' '}
            {ca.crlNumber}). Until one is imported, and again once it expires, the mTLS listener refuses certificates
            whose chain runs through this CA.
          </Text>
          <Group>
            <FileButton onChange={(file) => void choose(file)} accept=".crl,.pem,.der,application/pkix-crl">
              {(props) => (
                <Button variant="default" {...props}>
                  Read CRL file
                </Button>
              )}
            </FileButton>
            {fileName && <Text size="sm">{fileName}</Text>}
          </Group>
          <Textarea
            label="CRL (PEM, or base64 of the DER)"
            required
            autosize
            minRows={4}
            maxRows={12}
            ff="monospace"
            placeholder="-----BEGIN X509 CRL-----"
            value={crl}
            onChange={(event) => setCrl(event.currentTarget.value)}
          />
          <ErrorAlert error={importCrl.error} title="CRL not imported" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={importCrl.isPending}>
              Import CRL
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
