import { Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useLogin } from './queries.js';

/** Exchanges a pasted API token for a session cookie; the token itself is not stored by the page. */
export function LoginPage() {
  const login = useLogin();
  const [token, setToken] = useState('');

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    login.mutate(token.trim());
  };

  return (
    <Center mih="100vh" bg="gray.1" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={440} maw="100%">
        <form onSubmit={submit} aria-label="Sign in">
          <Stack>
            <div>
              <Title order={2}>Trustloop</Title>
              <Text c="dimmed" size="sm">
                Sign in with an API token. It is exchanged for a session cookie that page scripts cannot read.
              </Text>
            </div>
            <PasswordInput
              label="API token"
              placeholder="tl.tok_…"
              autoComplete="off"
              required
              value={token}
              onChange={(event) => setToken(event.currentTarget.value)}
            />
            <ErrorAlert error={login.error} title="Sign-in refused" />
            <Button type="submit" loading={login.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
