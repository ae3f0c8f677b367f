import { Button, Group, Modal, NativeSelect, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { CA_KEY_TYPES } from './pki-terms.js';
import { useRequestCa } from './queries.js';
import type { Ca, CaKeyType, CaRequest } from './types.js';

interface Props {
  /** Imported CAs that may have a subordinate: active, with their key outside. */
  parents: readonly Ca[];
  onClose: () => void;
  onRequested: (request: CaRequest) => void;
}

const text = (form: FormData, name: string): string => String(form.get(name) ?? '').trim();

/**
 * Starts an issuing CA under an imported external CA: the key is generated in the CPM and the
 * server answers with a CSR, which the external CA signs outside Trustloop.
 */
export function RequestCaModal({ parents, onClose, onRequested }: Props) {
  const request = useRequestCa();
  const [keyType, setKeyType] = useState<CaKeyType>('ec-p384');

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const organization = text(form, 'organization');
    const country = text(form, 'country');
    request.mutate(
      {
        name: text(form, 'name'),
        parentId: text(form, 'parentId'),
        keyType,
        commonName: text(form, 'commonName'),
        ...(organization ? { organization } : {}),
        ...(country ? { country } : {}),
      },
      { onSuccess: onRequested },
    );
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title="Request CA from external root"
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={submit} aria-label="Request CA from external root">
        <Stack>
          <Text size="sm">
            The key of the new issuing CA is generated in the CPM. You get a CSR to take to the external CA; the issuing
            CA becomes active when you upload the certificate it signs.
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              name="parentId"
              label="External parent CA"
              data={parents.map((ca) => ({ value: ca.id, label: `${ca.name} (${ca.role}, imported)` }))}
            />
            <NativeSelect
              label="Key type"
              data={CA_KEY_TYPES}
              value={keyType}
              onChange={(event) => {
                const next = CA_KEY_TYPES.find((one) => one === event.currentTarget.value);
                if (next) setKeyType(next);
              }}
            />
            <TextInput name="name" label="Name" description="e.g. issuing-2026" required />
            <TextInput name="commonName" label="Common name" description="e.g. Scheme Issuing CA 2" required />
            <TextInput name="organization" label="Organization (optional)" />
            <TextInput name="country" label="Country (optional)" description="Two capital letters" maxLength={2} />
          </SimpleGrid>
          <ErrorAlert error={request.error} title="CA request not made" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={request.isPending}>
              Make CSR
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
