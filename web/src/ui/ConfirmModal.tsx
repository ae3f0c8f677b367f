import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../ui/ErrorAlert.js';

interface Props {
  opened: boolean;
  title: string;
  /** What the action does and what it cannot undo, in one sentence. */
  message: string;
  confirmLabel: string;
  color?: string;
  loading: boolean;
  error: Error | null;
  onConfirm: () => void;
  onClose: () => void;
}

/** Asks before a key or keystore action that changes what every client of the keys can do. */
export function ConfirmModal({
  opened,
  title,
  message,
  confirmLabel,
  color,
  loading,
  error,
  onConfirm,
  onClose,
}: Props) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text size="sm">{message}</Text>
        <ErrorAlert error={error} title={`${confirmLabel} failed`} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color={color} loading={loading} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
