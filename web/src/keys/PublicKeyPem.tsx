import { Code, Loader, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { usePublicKey } from './queries.js';

interface Props {
  keyId: string;
  version: number;
}

/** The public half of one version, to hand to whoever verifies signatures or encrypts to the key. */
export function PublicKeyPem({ keyId, version }: Props) {
  const publicKey = usePublicKey(keyId, version);
  return (
    <Stack gap="xs">
      <Text fw={600}>Public key (version {version}, PEM)</Text>
      {publicKey.isLoading && <Loader size="sm" aria-label="Loading public key" />}
      <ErrorAlert error={publicKey.error} title="Could not load the public key" />
      {publicKey.data?.pem && (
        <Code block data-testid="key-public-pem">
          {publicKey.data.pem}
        </Code>
      )}
    </Stack>
  );
}
