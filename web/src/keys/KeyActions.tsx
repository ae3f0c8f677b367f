import { Button, Group } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import type { KeyView } from '../api/types.js';
import { ConfirmModal } from '../ui/ConfirmModal.js';
import { useRotateKey, useSetKeyStatus } from './queries.js';

type Action = 'rotate' | 'disable' | 'enable';

const CONFIRM: Record<Action, { title: string; message: string; label: string; color: string }> = {
  rotate: {
    title: 'Rotate key',
    message:
      'A new version is generated and used for every new operation. Older versions still verify and decrypt down to the minimum decryption version.',
    label: 'Rotate',
    color: 'blue',
  },
  disable: {
    title: 'Disable key',
    message: 'Every operation with this key is refused until it is enabled again.',
    label: 'Disable',
    color: 'red',
  },
  enable: {
    title: 'Enable key',
    message: 'Callers allowed by the key policy can use the key again.',
    label: 'Enable',
    color: 'green',
  },
};

/** Rotate, disable or enable one key, each after a confirmation naming its effect. */
export function KeyActions({ keyView }: { keyView: KeyView }) {
  const rotate = useRotateKey(keyView.id);
  const setStatus = useSetKeyStatus(keyView.id);
  // The action outlives the modal's opening, so the modal keeps its text while it fades out.
  const [action, setAction] = useState<Action>('rotate');
  const [opened, modal] = useDisclosure(false);
  const toggle: Action = keyView.status === 'disabled' ? 'enable' : 'disable';
  const running = action === 'rotate' ? rotate : setStatus;
  const shown = CONFIRM[action];

  const ask = (next: Action) => {
    setAction(next);
    modal.open();
  };
  const close = () => {
    rotate.reset();
    setStatus.reset();
    modal.close();
  };
  const confirm = () => {
    if (action === 'rotate') rotate.mutate(undefined, { onSuccess: close });
    else setStatus.mutate(action === 'enable' ? 'enabled' : 'disabled', { onSuccess: close });
  };

  return (
    <Group>
      <Button variant="light" onClick={() => ask('rotate')}>
        Rotate
      </Button>
      <Button variant="light" color={CONFIRM[toggle].color} onClick={() => ask(toggle)}>
        {CONFIRM[toggle].label}
      </Button>
      <ConfirmModal
        opened={opened}
        title={shown.title}
        message={shown.message}
        confirmLabel={shown.label}
        color={shown.color}
        loading={running.isPending}
        error={running.error}
        onConfirm={confirm}
        onClose={close}
      />
    </Group>
  );
}
