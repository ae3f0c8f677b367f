import { Alert, Button, Group, Modal, NativeSelect, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useSession } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { ChecksTable } from './ChecksTable.js';
import { ENROLABLE_PROFILES } from './pki-terms.js';
import { useCas, useSubmitCsr, useValidateCsr } from './queries.js';
import type { SubmitCsr } from './types.js';

interface Props {
  opened: boolean;
  onClose: () => void;
}

const AUTO_CA = '';

/**
 * A participant pastes a CSR made with `openssl req` and picks a profile; "Check" runs the nine
 * validations without queueing anything, "Submit" queues it for officer approval (the server
 * refuses it if any check is INVALID). A hub caller names the participant it enrols for.
 */
export function SubmitCsrModal({ opened, onClose }: Props) {
  const session = useSession();
  const ownParticipant = session.data?.actor.participantId ?? null;
  const cas = useCas();
  const issuing = (cas.data?.items ?? []).filter(
    (ca) => ca.role === 'issuing' && ca.source === 'cpm' && ca.status === 'active',
  );
  const validate = useValidateCsr();
  const submit = useSubmitCsr();
  const [form, setForm] = useState<SubmitCsr>({ profile: ENROLABLE_PROFILES[0], csrPem: '' });

  const change = (patch: Partial<SubmitCsr>) => {
    validate.reset();
    submit.reset();
    setForm((current) => ({ ...current, ...patch }));
  };
  const body = (): SubmitCsr => ({
    profile: form.profile,
    csrPem: form.csrPem.trim() + '\n',
    ...(ownParticipant === null && form.participantId ? { participantId: form.participantId.trim() } : {}),
    ...(form.caId ? { caId: form.caId } : {}),
  });
  const close = () => {
    validate.reset();
    submit.reset();
    setForm({ profile: ENROLABLE_PROFILES[0], csrPem: '' });
    onClose();
  };
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    submit.mutate(body(), { onSuccess: close });
  };

  return (
    <Modal opened={opened} onClose={close} title="Submit CSR" size="xl" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={onSubmit} aria-label="Submit CSR">
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            {ownParticipant === null ? (
              <TextInput
                label="Participant"
                description="The DFSP the certificate is for"
                required
                value={form.participantId ?? ''}
                onChange={(event) => change({ participantId: event.currentTarget.value })}
              />
            ) : (
              <TextInput label="Participant" value={ownParticipant} readOnly />
            )}
            <NativeSelect
              label="Profile"
              data={ENROLABLE_PROFILES}
              value={form.profile}
              onChange={(event) => change({ profile: event.currentTarget.value })}
            />
            <NativeSelect
              label="Issuing CA"
              data={[{ value: AUTO_CA, label: 'default' }, ...issuing.map((ca) => ({ value: ca.id, label: ca.name }))]}
              value={form.caId ?? AUTO_CA}
              onChange={(event) => change({ caId: event.currentTarget.value || undefined })}
            />
          </SimpleGrid>
          <Textarea
            label="CSR (PEM)"
            description="openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/O=…/CN=<participant id>' …"
            required
            autosize
            minRows={8}
            maxRows={16}
            ff="monospace"
            placeholder="-----BEGIN CERTIFICATE REQUEST-----"
            value={form.csrPem}
            onChange={(event) => change({ csrPem: event.currentTarget.value })}
          />
          <ErrorAlert error={validate.error} title="Could not check the CSR" />
          {validate.data && (
            <Stack gap="xs" data-testid="csr-report">
              <Alert
                color={validate.data.valid ? 'green' : 'red'}
                variant="light"
                title={validate.data.valid ? 'Every check passes' : 'The CSR fails a check'}
              >
                Key {validate.data.keyType}
                {validate.data.weaker ? ' (accepted by scheme policy, below 128-bit strength)' : ''} for{' '}
                {validate.data.participantId}.
              </Alert>
              <ChecksTable checks={validate.data.checks} label="CSR checks" />
            </Stack>
          )}
          <ErrorAlert error={submit.error} title="CSR not submitted" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              variant="light"
              loading={validate.isPending}
              disabled={!form.csrPem.trim()}
              onClick={() => validate.mutate(body())}
            >
              Check
            </Button>
            <Button type="submit" loading={submit.isPending}>
              Submit
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
