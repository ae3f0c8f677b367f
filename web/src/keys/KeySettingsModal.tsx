import { Button, Checkbox, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { KeyView } from '../api/types.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useUpdateKeySettings } from './queries.js';

interface Props {
  keyView: KeyView;
  opened: boolean;
  onClose: () => void;
}

const isWhole = (value: number | string, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/**
 * The settings a key keeps after creation: its rotation period (rotated by the lifecycle job once
 * it passes) and the oldest version still allowed to decrypt and verify.
 */
export function KeySettingsModal({ keyView, opened, onClose }: Props) {
  const update = useUpdateKeySettings(keyView.id);
  const [rotates, setRotates] = useState(keyView.rotationPeriodDays !== null);
  const [days, setDays] = useState<number | string>(keyView.rotationPeriodDays ?? 365);
  const [minVersion, setMinVersion] = useState<number | string>(keyView.minDecryptionVersion);
  const daysValid = !rotates || isWhole(days, 1, 3650);
  const versionValid = isWhole(minVersion, 1, keyView.latestVersion);

  const close = () => {
    update.reset();
    onClose();
  };
  const save = () => {
    if (!daysValid || !versionValid) return;
    update.mutate(
      { rotationPeriodDays: rotates ? (days as number) : null, minDecryptionVersion: minVersion },
      { onSuccess: close },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title="Key settings" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Checkbox
          label="Rotate automatically"
          checked={rotates}
          onChange={(event) => setRotates(event.currentTarget.checked)}
        />
        <NumberInput
          label="Rotation period in days"
          description="1 to 3650"
          min={1}
          max={3650}
          allowDecimal={false}
          disabled={!rotates}
          value={days}
          onChange={setDays}
          error={daysValid ? undefined : 'a whole number of days from 1 to 3650'}
        />
        <NumberInput
          label="Minimum decryption version"
          description={`Versions below it no longer decrypt or verify (1 to ${keyView.latestVersion})`}
          min={1}
          max={keyView.latestVersion}
          allowDecimal={false}
          value={minVersion}
          onChange={setMinVersion}
          error={versionValid ? undefined : `a version from 1 to ${keyView.latestVersion}`}
        />
        {versionValid && minVersion > keyView.minDecryptionVersion && (
          <Text size="sm" c="orange">
            Data under versions below {minVersion} can no longer be decrypted until the minimum is lowered again.
          </Text>
        )}
        <ErrorAlert error={update.error} title="Saving the settings failed" />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button disabled={!daysValid || !versionValid} loading={update.isPending} onClick={save}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
