import { Button, Fieldset, Group, Modal, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import type { FormEvent } from 'react';
import type { NewParticipant, SecurityContact } from '../api/types.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useCreateParticipant } from './queries.js';

interface Props {
  opened: boolean;
  onClose: () => void;
}

const text = (form: FormData, name: string): string => String(form.get(name) ?? '').trim();

/** A contact is sent only when one was entered; the server then checks its fields. */
function contactFrom(form: FormData): SecurityContact | undefined {
  const name = text(form, 'contactName');
  const email = text(form, 'contactEmail');
  const phone = text(form, 'contactPhone');
  const role = text(form, 'contactRole');
  if (!name && !email && !phone && !role) return undefined;
  return { name, email, ...(phone ? { phone } : {}), ...(role ? { role } : {}) };
}

function participantFrom(form: FormData): NewParticipant {
  const contact = contactFrom(form);
  return {
    id: text(form, 'id'),
    name: text(form, 'name'),
    kind: text(form, 'kind') === 'hub' ? 'hub' : 'dfsp',
    ...(contact ? { securityContacts: [contact] } : {}),
  };
}

/** Registers a participant; the server's reason is shown if it refuses (duplicate id, bad email…). */
export function AddParticipantModal({ opened, onClose }: Props) {
  const create = useCreateParticipant();

  const close = () => {
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(participantFrom(new FormData(event.currentTarget)), { onSuccess: close });
  };

  return (
    <Modal
      opened={opened}
      onClose={close}
      title="Add participant"
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={submit} aria-label="Add participant">
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput name="id" label="Participant id" description="FSPIOP FspId, e.g. dfsp-bank-a" required />
            <TextInput name="name" label="Name" required />
          </SimpleGrid>
          <NativeSelect name="kind" label="Kind" data={['dfsp', 'hub']} />
          <Fieldset legend="Security contact (optional)">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput name="contactName" label="Contact name" />
              <TextInput name="contactEmail" label="Contact email" type="email" />
              <TextInput name="contactPhone" label="Contact phone" placeholder="+15551234567" />
              <TextInput name="contactRole" label="Contact role" placeholder="CISO" />
            </SimpleGrid>
          </Fieldset>
          <ErrorAlert error={create.error} title="Participant not created" />
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
