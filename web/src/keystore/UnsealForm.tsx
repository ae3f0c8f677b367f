import { Button, Group, PasswordInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useUnseal } from './queries.js';

/**
 * Takes one custodian share at a time. The input is uncontrolled and cleared as soon as the share
 * is read, and the mutation is reset once the request ends, so the share lives only as long as
 * the request; only the error stays, to be shown.
 */
export function UnsealForm() {
  const unseal = useUnseal();
  const [error, setError] = useState<Error | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const share = String(new FormData(form).get('share') ?? '').trim();
    form.reset();
    unseal.mutate(share, {
      onSuccess: () => setError(null),
      onError: setError,
      onSettled: () => unseal.reset(),
    });
  };

  return (
    <form onSubmit={submit} aria-label="Unseal keystore">
      <Group align="flex-end">
        <PasswordInput
          name="share"
          label="Unseal share"
          placeholder="tlks1-…"
          autoComplete="off"
          required
          style={{ flex: 1 }}
        />
        <Button type="submit" loading={unseal.isPending}>
          Unseal
        </Button>
      </Group>
      <ErrorAlert error={error} title="Share refused" />
    </form>
  );
}
