import { Badge } from '@mantine/core';

/** Only an enabled key works; any other status (disabled, scheduled for destruction…) stands out. */
export function KeyStatusBadge({ status }: { status: string }) {
  const color = status === 'enabled' ? 'green' : status === 'disabled' ? 'gray' : 'red';
  return (
    <Badge color={color} variant="light">
      {status}
    </Badge>
  );
}
