import { Button, Group, Modal, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { CA_KEY_TYPES } from './pki-terms.js';
import { useCreateCa } from './queries.js';
import type { Ca, CaKeyType, NewCa } from './types.js';

interface Props {
  opened: boolean;
  onClose: () => void;
  /** CAs that can sign a new issuing CA: active, with their key in the CPM. */
  parents: readonly Ca[];
}

type Role = NewCa['role'];

const text = (form: FormData, name: string): string => String(form.get(name) ?? '').trim();

function caFrom(form: FormData, role: Role, keyType: CaKeyType): NewCa {
  const organization = text(form, 'organization');
  const country = text(form, 'country');
  const validity = text(form, 'validityDays');
  const pathLength = text(form, 'pathLength');
  const permitted = text(form, 'permittedDns')
    .split(/[\s,]+/)
    .filter(Boolean);
  return {
    name: text(form, 'name'),
    role,
    keyType,
    commonName: text(form, 'commonName'),
    ...(role === 'issuing' ? { parentId: text(form, 'parentId') } : {}),
    ...(organization ? { organization } : {}),
    ...(country ? { country } : {}),
    ...(validity ? { validityDays: Number(validity) } : {}),
    ...(pathLength ? { pathLength: Number(pathLength) } : {}),
    ...(permitted.length ? { permittedDns: permitted } : {}),
  };
}

/**
 * Creates a root CA (self-signed, used only for intermediates and its CRL) or an issuing CA signed
 * by a parent; the key is generated in the CPM and never leaves it.
 */
export function CreateCaModal({ opened, onClose, parents }: Props) {
  const create = useCreateCa();
  const [role, setRole] = useState<Role>(parents.length === 0 ? 'root' : 'issuing');
  const [keyType, setKeyType] = useState<CaKeyType>('ec-p384');

  const close = () => {
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(caFrom(new FormData(event.currentTarget), role, keyType), { onSuccess: close });
  };

  return (
    <Modal opened={opened} onClose={close} title="Create CA" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label="Create CA">
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              label="Role"
              data={[
                { value: 'root', label: 'root' },
                { value: 'issuing', label: 'issuing', disabled: parents.length === 0 },
              ]}
              value={role}
              onChange={(event) => setRole(event.currentTarget.value === 'root' ? 'root' : 'issuing')}
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
            <TextInput name="name" label="Name" description="e.g. issuing-2025" required />
            <TextInput name="commonName" label="Common name" description="e.g. Scheme Issuing CA 1" required />
            <TextInput name="organization" label="Organization (optional)" />
            <TextInput name="country" label="Country (optional)" description="Two capital letters" maxLength={2} />
            <TextInput
              name="validityDays"
              label="Validity in days (optional)"
              type="number"
              min={1}
              max={7300}
              step={1}
            />
            <TextInput name="pathLength" label="Path length (optional)" type="number" min={0} max={3} step={1} />
          </SimpleGrid>
          {role === 'issuing' && (
            <>
              <NativeSelect
                name="parentId"
                label="Parent CA"
                data={parents.map((ca) => ({ value: ca.id, label: `${ca.name} (${ca.role})` }))}
              />
              <TextInput
                name="permittedDns"
                label="Permitted DNS subtrees (optional)"
                description="Name constraints, comma separated, e.g. scheme.local"
              />
            </>
          )}
          <ErrorAlert error={create.error} title="CA not created" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
