import { Button, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useCan, useSession } from '../session/queries.js';
import { ConfirmModal } from '../ui/ConfirmModal.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { useDomains, useParticipantIds, useRegisterDomain, useRemoveDomain } from './queries.js';

function AddDomain({ participantId }: { participantId: string }) {
  const register = useRegisterDomain(participantId);
  const [domain, setDomain] = useState('');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    register.mutate(domain.trim().toLowerCase(), { onSuccess: () => setDomain('') });
  };
  return (
    <form onSubmit={submit} aria-label="Register domain">
      <Stack gap="xs">
        <Group align="flex-end">
          <TextInput
            label="Domain"
            description={`A DNS domain ${participantId} owns (check the ownership first), e.g. bank-a.example`}
            required
            value={domain}
            onChange={(event) => {
              register.reset();
              setDomain(event.currentTarget.value);
            }}
            w={420}
          />
          <Button type="submit" loading={register.isPending}>
            Register
          </Button>
        </Group>
        <ErrorAlert error={register.error} title="Domain not registered" />
      </Stack>
    </form>
  );
}

function DomainTable({ participantId, canManage }: { participantId: string; canManage: boolean }) {
  const domains = useDomains(participantId);
  const remove = useRemoveDomain(participantId);
  const [removing, setRemoving] = useState<string | null>(null);
  const items = domains.data?.items ?? [];
  const close = () => {
    remove.reset();
    setRemoving(null);
  };
  return (
    <>
      <ErrorAlert error={domains.error} title="Could not load the domains" />
      {domains.data && items.length > 0 && (
        <Table striped aria-label={`Domains of ${participantId}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Domain</Table.Th>
              <Table.Th>Registered by</Table.Th>
              <Table.Th>Registered</Table.Th>
              {canManage && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.domain}>
                <Table.Td ff="monospace">{item.domain}</Table.Td>
                <Table.Td>{item.registeredBy}</Table.Td>
                <Table.Td>{formatTime(item.createdAt)}</Table.Td>
                {canManage && (
                  <Table.Td>
                    <Button
                      size="compact-sm"
                      color="red"
                      variant="light"
                      aria-label={`Remove ${item.domain}`}
                      onClick={() => setRemoving(item.domain)}
                    >
                      Remove
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {domains.data && items.length === 0 && (
        <Text c="dimmed">
          No domain registered to {participantId}: its certificates may only name hosts in its own namespace of the
          scheme's domain.
        </Text>
      )}
      <ConfirmModal
        opened={removing !== null}
        title="Remove domain"
        message={`${removing ?? ''} no longer belongs to ${participantId}: new certificates naming hosts under it are refused. Certificates already issued stay valid until they expire or are revoked.`}
        confirmLabel="Remove"
        color="red"
        loading={remove.isPending}
        error={remove.error}
        onConfirm={() => removing !== null && remove.mutate(removing, { onSuccess: close })}
        onClose={close}
      />
    </>
  );
}

/**
 * The DNS domains each participant owns, which its certificates' names may lie under. An officer
 * registers a domain after checking its ownership out of band; a participant sees its own.
 */
export function DomainsPage() {
  const session = useSession();
  const can = useCan();
  const ownParticipant = session.data?.actor.participantId ?? null;
  const participants = useParticipantIds(ownParticipant === null);
  const [params, setParams] = useSearchParams();
  const chosen = ownParticipant ?? params.get('participant');
  const ids = participants.data ?? [];
  const canManage = can('pki:manage') && ownParticipant === null;

  return (
    <Stack>
      <Title order={2}>Participant domains</Title>
      {ownParticipant === null ? (
        <NativeSelect
          label="Participant"
          data={[{ value: '', label: 'Choose a participant' }, ...ids.map((id) => ({ value: id, label: id }))]}
          value={chosen ?? ''}
          onChange={(event) => setParams(event.currentTarget.value ? { participant: event.currentTarget.value } : {})}
          w={320}
        />
      ) : (
        <TextInput label="Participant" value={ownParticipant} readOnly w={320} />
      )}
      <ErrorAlert error={participants.error} title="Could not load the participants" />
      {chosen && <DomainTable participantId={chosen} canManage={canManage} />}
      {chosen && canManage && <AddDomain participantId={chosen} />}
    </Stack>
  );
}
