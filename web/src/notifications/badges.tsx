import { Badge, Group } from '@mantine/core';
import type { Delivery, Notification } from './types.js';

const SEVERITY_COLOR: Record<Notification['severity'], string> = { info: 'blue', warning: 'orange', critical: 'red' };
const STATUS_COLOR: Record<Delivery['status'], string> = {
  pending: 'yellow',
  delivered: 'green',
  dead: 'red',
  cancelled: 'gray',
};

export const SeverityBadge = ({ severity }: { severity: Notification['severity'] }) => (
  <Badge color={SEVERITY_COLOR[severity]} variant="light">
    {severity}
  </Badge>
);

export const DeliveryBadge = ({ status }: { status: Delivery['status'] }) => (
  <Badge color={STATUS_COLOR[status]} variant="light" data-delivery-status={status}>
    {status}
  </Badge>
);

/** One badge per delivery status present; "no webhook" when nothing subscribed to it. */
export function DeliveryCounts({ counts }: { counts: Notification['deliveries'] }) {
  const present = (Object.keys(STATUS_COLOR) as Delivery['status'][]).filter((status) => counts[status] > 0);
  if (present.length === 0)
    return (
      <Badge color="gray" variant="outline">
        no webhook
      </Badge>
    );
  return (
    <Group gap={4}>
      {present.map((status) => (
        <Badge key={status} color={STATUS_COLOR[status]} variant="light" data-delivery-status={status}>
          {counts[status]} {status}
        </Badge>
      ))}
    </Group>
  );
}
