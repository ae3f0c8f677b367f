import { Stack, Switch, Text } from '@mantine/core';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useScopes, useSetHosting } from './queries.js';

interface Props {
  participantId: string;
  hosted: boolean;
  canWrite: boolean;
}

/**
 * Whether a participant runs on the hub's hosted service: if so the hub carries every requirement
 * the scheme shares (rows marked "hosted" in the grid). Not offered for the hub itself.
 */
export function HostingSwitch({ participantId, hosted, canWrite }: Props) {
  const scopes = useScopes();
  const setHosting = useSetHosting(participantId);
  const kind = scopes.data?.items.find((participant) => participant.id === participantId)?.kind;
  if (kind !== 'dfsp') return null;
  return (
    <Stack gap={4}>
      <Switch
        label="Runs on the hub's hosted service (inherits the hub's shared controls)"
        checked={hosted}
        disabled={!canWrite || setHosting.isPending}
        onChange={(event) => setHosting.mutate(event.currentTarget.checked)}
      />
      {hosted && (
        <Text size="sm" c="dimmed" data-testid="hosted-note">
          The hub carries every requirement the scheme shares for {participantId}.
        </Text>
      )}
      <ErrorAlert error={setHosting.error} title="Hosting not changed" />
    </Stack>
  );
}
