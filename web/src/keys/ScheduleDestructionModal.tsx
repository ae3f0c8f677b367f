import { Button, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { KeyView } from '../api/types.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useScheduleDestruction } from './queries.js';

interface Props {
  keyView: KeyView;
  opened: boolean;
  onClose: () => void;
}

const DEFAULT_DAYS = 7;

/**
 * Schedules destruction after a waiting period of 1–30 days: the key stops working at once and
 * can be brought back (disabled) until the period ends, as with AWS KMS.
 */
export function ScheduleDestructionModal({ keyView, opened, onClose }: Props) {
  const schedule = useScheduleDestruction(keyView.id);
  const [days, setDays] = useState<number | string>(DEFAULT_DAYS);
  const valid = typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= 30;

  const close = () => {
    schedule.reset();
    setDays(DEFAULT_DAYS);
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Schedule destruction" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text size="sm">
          Every operation with {keyView.name} stops now. Once the waiting period is over, every version can be destroyed
          for good; until then the destruction can be cancelled and the key comes back disabled.
        </Text>
        <NumberInput
          label="Waiting period in days"
          description="1 to 30"
          min={1}
          max={30}
          step={1}
          allowDecimal={false}
          value={days}
          onChange={setDays}
          error={valid ? undefined : 'a whole number of days from 1 to 30'}
        />
        <ErrorAlert error={schedule.error} title="Schedule destruction failed" />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button
            color="red"
            disabled={!valid}
            loading={schedule.isPending}
            onClick={() => valid && schedule.mutate(days, { onSuccess: close })}
          >
            Schedule destruction
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
