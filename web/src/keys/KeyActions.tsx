import { Button, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import type { KeyView } from '../api/types.js';
import { ConfirmModal } from '../ui/ConfirmModal.js';
import { formatTime } from '../ui/format.js';
import { DestroyKeyModal } from './DestroyKeyModal.js';
import { KeySettingsModal } from './KeySettingsModal.js';
import { useCancelDestruction, useRotateKey, useSetKeyStatus } from './queries.js';
import { ScheduleDestructionModal } from './ScheduleDestructionModal.js';

type Action = 'rotate' | 'disable' | 'enable' | 'cancel-destruction';

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
  'cancel-destruction': {
    title: 'Cancel destruction',
    message: 'The key is kept and comes back disabled: enable it to use it again.',
    label: 'Cancel destruction',
    color: 'blue',
  },
};

/**
 * The lifecycle steps open to a key in its current status, each after a confirmation naming its
 * effect: rotate (enabled only), disable / enable, schedule destruction with a waiting period,
 * cancel it, and destroy once the period is over.
 */
export function KeyActions({ keyView }: { keyView: KeyView }) {
  const rotate = useRotateKey(keyView.id);
  const setStatus = useSetKeyStatus(keyView.id);
  const cancel = useCancelDestruction(keyView.id);
  // The action outlives the modal's opening, so the modal keeps its text while it fades out.
  const [action, setAction] = useState<Action>('rotate');
  const [opened, modal] = useDisclosure(false);
  const [scheduling, scheduleModal] = useDisclosure(false);
  const [destroying, destroyModal] = useDisclosure(false);
  const [editing, settingsModal] = useDisclosure(false);
  const running = action === 'rotate' ? rotate : action === 'cancel-destruction' ? cancel : setStatus;
  const shown = CONFIRM[action];

  const ask = (next: Action) => {
    setAction(next);
    modal.open();
  };
  const close = () => {
    rotate.reset();
    setStatus.reset();
    cancel.reset();
    modal.close();
  };
  const confirm = () => {
    if (action === 'rotate') rotate.mutate(undefined, { onSuccess: close });
    else if (action === 'cancel-destruction') cancel.mutate(undefined, { onSuccess: close });
    else setStatus.mutate(action === 'enable' ? 'enabled' : 'disabled', { onSuccess: close });
  };

  if (keyView.status === 'destroyed') return null;
  const scheduled = keyView.status === 'destroy-scheduled';
  const destroyAfter = keyView.destroyAfter === null ? null : Date.parse(keyView.destroyAfter);
  const destroyable = scheduled && destroyAfter !== null && destroyAfter <= Date.now();
  const toggle: Action = keyView.status === 'disabled' ? 'enable' : 'disable';

  return (
    <Group>
      {keyView.status === 'enabled' && (
        <Button variant="light" onClick={() => ask('rotate')}>
          Rotate
        </Button>
      )}
      {!scheduled && (
        <Button variant="light" color={CONFIRM[toggle].color} onClick={() => ask(toggle)}>
          {CONFIRM[toggle].label}
        </Button>
      )}
      {!scheduled && (
        <Button variant="light" onClick={settingsModal.open}>
          Settings
        </Button>
      )}
      {!scheduled && (
        <Button variant="subtle" color="red" onClick={scheduleModal.open}>
          Schedule destruction
        </Button>
      )}
      {scheduled && (
        <Button variant="light" onClick={() => ask('cancel-destruction')}>
          Cancel destruction
        </Button>
      )}
      {scheduled && (
        <Button color="red" disabled={!destroyable} onClick={destroyModal.open}>
          Destroy
        </Button>
      )}
      {scheduled && !destroyable && keyView.destroyAfter !== null && (
        <Text size="sm" c="dimmed" data-testid="key-destroy-after">
          Can be destroyed after {formatTime(keyView.destroyAfter)}
        </Text>
      )}
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
      <ScheduleDestructionModal keyView={keyView} opened={scheduling} onClose={scheduleModal.close} />
      <DestroyKeyModal keyView={keyView} opened={destroying} onClose={destroyModal.close} />
      {editing && <KeySettingsModal keyView={keyView} opened={editing} onClose={settingsModal.close} />}
    </Group>
  );
}
