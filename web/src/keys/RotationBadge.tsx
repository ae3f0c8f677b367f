import { Badge, Text } from '@mantine/core';
import type { KeyView } from '../api/types.js';

/** Flags a key older than its rotation period, so it is rotated before it is overused. */
export function RotationBadge({ keyView }: { keyView: KeyView }) {
  if (keyView.rotationDue) {
    return (
      <Badge color="orange" variant="filled">
        due
      </Badge>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      {keyView.rotationPeriodDays === null ? 'manual' : `every ${keyView.rotationPeriodDays} d`}
    </Text>
  );
}
