import { Badge, Tooltip } from '@mantine/core';
import type { Certificate, Check, CheckStatus } from './types.js';
import { EXPIRY_WARNING_DAYS, expiryState, type ExpiryState } from './pki-terms.js';

const CHECK_COLOR: Record<CheckStatus, string> = { VALID: 'green', INVALID: 'red', NOT_AVAILABLE: 'gray' };

/** One CSR check as Mojaloop Connection Manager reports it, its reason on hover and in the accessible name. */
export function CheckBadge({ check }: { check: Check }) {
  return (
    <Tooltip label={check.message} withArrow multiline maw={360}>
      <Badge
        color={CHECK_COLOR[check.status]}
        variant="light"
        aria-label={`${check.id} ${check.status}: ${check.message}`}
        data-check={check.id}
        data-status={check.status}
      >
        {check.status}
      </Badge>
    </Tooltip>
  );
}

const EXPIRY: Record<ExpiryState, { color: string; label: (days: number) => string }> = {
  expired: { color: 'red', label: () => 'expired' },
  expiring: { color: 'orange', label: (days) => `expires in ${days} d` },
  valid: { color: 'green', label: (days) => `valid ${days} d` },
};

/** Expired, expiring within EXPIRY_WARNING_DAYS, or valid, with the days left. */
export function ExpiryBadge({ certificate }: { certificate: Pick<Certificate, 'daysToExpiry'> }) {
  const state = expiryState(certificate);
  return (
    <Badge
      color={EXPIRY[state].color}
      variant="light"
      data-testid="expiry-badge"
      data-expiry={state}
      title={state === 'expiring' ? `Expires within ${EXPIRY_WARNING_DAYS} days` : undefined}
    >
      {EXPIRY[state].label(certificate.daysToExpiry)}
    </Badge>
  );
}

const STATUS_COLOR: Record<string, string> = {
  valid: 'green',
  active: 'green',
  pending: 'blue',
  issued: 'green',
  completed: 'green',
  revoked: 'red',
  rejected: 'red',
};

/** Status of a certificate, a CA or an enrolment, as the server names it. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="outline">
      {status}
    </Badge>
  );
}
