import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  enabled: 'green',
  disabled: 'gray',
  'destroy-scheduled': 'orange',
  destroyed: 'red',
};

/** Only an enabled key works; any other status (disabled, scheduled for destruction…) stands out. */
export function KeyStatusBadge({ status }: { status: string }) {
  return (
    <Badge color={COLORS[status] ?? 'red'} variant="light">
      {status}
    </Badge>
  );
}
