import { Button, Group, Modal, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { KeyType, NewKey } from '../api/types.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { isKeyType, KEY_TYPES, PURPOSES_BY_TYPE } from './key-types.js';
import { useCreateKey } from './queries.js';

interface Props {
  opened: boolean;
  onClose: () => void;
}

const DEFAULT_TYPE: KeyType = 'ec-p256';

const text = (form: FormData, name: string): string => String(form.get(name) ?? '').trim();

function keyFrom(form: FormData, type: KeyType): NewKey {
  const allowed = PURPOSES_BY_TYPE[type];
  const owner = text(form, 'ownerParticipantId');
  const period = text(form, 'rotationPeriodDays');
  return {
    name: text(form, 'name'),
    type,
    purpose: allowed.find((purpose) => purpose === text(form, 'purpose')) ?? allowed[0],
    ...(owner ? { ownerParticipantId: owner } : {}),
    ...(period ? { rotationPeriodDays: Number(period) } : {}),
  };
}

/** Generates a key inside the keystore; the server's reason is shown if it refuses (sealed, duplicate name…). */
export function CreateKeyModal({ opened, onClose }: Props) {
  const create = useCreateKey();
  const [type, setType] = useState<KeyType>(DEFAULT_TYPE);

  const close = () => {
    create.reset();
    setType(DEFAULT_TYPE);
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(keyFrom(new FormData(event.currentTarget), type), { onSuccess: close });
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
                if (isKeyType(next)) setType(next);
              }}
            />
            {/* Remounted with each type, so the choice restarts from a purpose the new type allows. */}
            <NativeSelect key={type} name="purpose" label="Purpose" data={PURPOSES_BY_TYPE[type]} />
            <TextInput name="ownerParticipantId" label="Owner participant (optional)" placeholder="dfsp-bank-a" />
            <TextInput
              name="rotationPeriodDays"
              label="Rotation period in days (optional)"
              type="number"
              min={1}
              step={1}
            />
          </SimpleGrid>
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
