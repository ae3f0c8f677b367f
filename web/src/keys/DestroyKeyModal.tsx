import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { KeyView } from '../api/types.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useDestroyKey } from './queries.js';

interface Props {
  keyView: KeyView;
  opened: boolean;
  onClose: () => void;
}

/**
 * Destroys every version of a key whose waiting period is over. It cannot be undone, so the key's
 * name must be typed to confirm; its metadata and audit trail remain.
 */
export function DestroyKeyModal({ keyView, opened, onClose }: Props) {
  const destroy = useDestroyKey(keyView.id);
  const [typed, setTyped] = useState('');

  const close = () => {
    destroy.reset();
    setTyped('');
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Destroy key" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text size="sm">
          Every version of {keyView.name} is destroyed in the keystore. Nothing it signed can be verified and nothing it
          encrypted can be decrypted any more. This cannot be undone.
        </Text>
        <TextInput
          label={`Type ${keyView.name} to confirm`}
          value={typed}
          onChange={(event) => setTyped(event.currentTarget.value)}
          autoComplete="off"
        />
        <ErrorAlert error={destroy.error} title="Destroy failed" />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button
            color="red"
            disabled={typed !== keyView.name}
            loading={destroy.isPending}
            onClick={() => destroy.mutate(undefined, { onSuccess: close })}
          >
            Destroy
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
