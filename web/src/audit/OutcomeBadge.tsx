import { Badge } from '@mantine/core';
import type { AuditOutcome } from '../api/types.js';

const COLORS: Record<AuditOutcome, string> = { success: 'green', denied: 'orange', failure: 'red' };

export function OutcomeBadge({ outcome }: { outcome: AuditOutcome }) {
  return (
    <Badge color={COLORS[outcome]} variant="light">
      {outcome}
    </Badge>
  );
}
