import { Badge, Button, Group, Text } from '@mantine/core';
import type { Whoami } from '../api/types.js';
import { useLogout } from '../session/queries.js';

/** Who is signed in (role, token id, participant) and the way out. */
export function UserBadge({ session }: { session: Whoami }) {
  const logout = useLogout();
  const { actor } = session;
  return (
    <Group gap="sm" wrap="nowrap" data-testid="user-badge">
      <Badge variant="light" data-testid="user-role">
        {actor.role ?? 'no role'}
      </Badge>
      <Text size="sm" ff="monospace" visibleFrom="sm" title="Token id" data-testid="user-token-id">
        {actor.id}
      </Text>
      {actor.participantId && (
        <Text size="sm" c="dimmed" visibleFrom="sm">
          {actor.participantId}
        </Text>
      )}
      {logout.error && (
        <Text size="xs" c="red" role="alert">
          {logout.error.message}
        </Text>
      )}
      <Button variant="default" size="xs" loading={logout.isPending} onClick={() => logout.mutate()}>
        Log out
      </Button>
    </Group>
  );
}
