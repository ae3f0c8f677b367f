import { Button, Checkbox, Fieldset, Group, Modal, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { KeyPurpose, KeyType, NewKey } from '../api/types.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import {
  isKeyType,
  KEY_TYPES,
  OPERATIONS_BY_PURPOSE,
  POLICY_ROLES,
  PURPOSES_BY_TYPE,
  type KeyOperation,
} from './key-types.js';
import { useCreateKey } from './queries.js';

interface Props {
  opened: boolean;
  onClose: () => void;
}

const DEFAULT_TYPE: KeyType = 'ec-p256';

const text = (form: FormData, name: string): string => String(form.get(name) ?? '').trim();

function keyFrom(form: FormData, type: KeyType, purpose: KeyPurpose, roles: string[], operations: string[]): NewKey {
  const owner = text(form, 'ownerParticipantId');
  const period = text(form, 'rotationPeriodDays');
  const allowed = OPERATIONS_BY_PURPOSE[purpose];
  return {
    name: text(form, 'name'),
    type,
    purpose,
    ...(owner ? { ownerParticipantId: owner } : {}),
    ...(period ? { rotationPeriodDays: Number(period) } : {}),
    policy: { roles, operations: allowed.filter((operation) => operations.includes(operation)) },
  };
}

/**
 * Generates a key inside the keystore with the policy chosen here: the hub roles that may use it
 * and the operations it allows (the owning participant's tokens may always use its own key). The
 * server's reason is shown if it refuses (sealed, duplicate name, unknown participant…).
 */
export function CreateKeyModal({ opened, onClose }: Props) {
  const create = useCreateKey();
  const [type, setType] = useState<KeyType>(DEFAULT_TYPE);
  const [purpose, setPurpose] = useState<KeyPurpose>(PURPOSES_BY_TYPE[DEFAULT_TYPE][0]);
  const [roles, setRoles] = useState<string[]>([...POLICY_ROLES]);
  const [operations, setOperations] = useState<string[]>([...OPERATIONS_BY_PURPOSE[purpose]]);

  const choosePurpose = (next: KeyPurpose) => {
    setPurpose(next);
    setOperations([...OPERATIONS_BY_PURPOSE[next]]);
  };
  const close = () => {
    create.reset();
    setType(DEFAULT_TYPE);
    choosePurpose(PURPOSES_BY_TYPE[DEFAULT_TYPE][0]);
    setRoles([...POLICY_ROLES]);
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(keyFrom(new FormData(event.currentTarget), type, purpose, roles, operations), { onSuccess: close });
  };

  return (
    <Modal opened={opened} onClose={close} title="Create key" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label="Create key">
        <Stack>
          <TextInput name="name" label="Name" description="e.g. jws-signing-dfsp-a" required />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              name="type"
              label="Type"
              data={KEY_TYPES}
              value={type}
              onChange={(event) => {
                const next = event.currentTarget.value;
                if (!isKeyType(next)) return;
                setType(next);
                choosePurpose(PURPOSES_BY_TYPE[next][0]);
              }}
            />
            <NativeSelect
              name="purpose"
              label="Purpose"
              data={PURPOSES_BY_TYPE[type]}
              value={purpose}
              onChange={(event) => {
                const next = PURPOSES_BY_TYPE[type].find((one) => one === event.currentTarget.value);
                if (next) choosePurpose(next);
              }}
            />
            <TextInput
              name="ownerParticipantId"
              label="Owner participant (optional)"
              description="Its tokens may use the key; empty for a hub key"
              placeholder="dfsp-bank-a"
            />
            <TextInput
              name="rotationPeriodDays"
              label="Rotation period in days (optional)"
              description="Flagged as due once this old"
              type="number"
              min={1}
              step={1}
            />
          </SimpleGrid>
          <Fieldset legend="Policy">
            <Stack gap="sm">
              <Checkbox.Group
                label="Hub roles that may use it"
                description="None: only the owning participant's tokens"
                value={roles}
                onChange={setRoles}
              >
                <Group mt="xs">
                  {POLICY_ROLES.map((role) => (
                    <Checkbox key={role} value={role} label={role} />
                  ))}
                </Group>
              </Checkbox.Group>
              <Checkbox.Group
                label="Operations allowed"
                description={`A ${purpose} key can do no more than these`}
                value={operations}
                onChange={setOperations}
              >
                <Group mt="xs">
                  {OPERATIONS_BY_PURPOSE[purpose].map((operation: KeyOperation) => (
                    <Checkbox key={operation} value={operation} label={operation} />
                  ))}
                </Group>
              </Checkbox.Group>
            </Stack>
          </Fieldset>
          <ErrorAlert error={create.error} title="Key not created" />
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
