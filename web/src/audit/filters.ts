import type { AuditOutcome } from '../api/types.js';

/**
 * The audit page's filters, in the API's terms. They live in the URL, so a filtered view survives
 * a reload and can be sent to a colleague.
 */
export interface AuditFilters {
  action?: string;
  outcome?: AuditOutcome;
  actorId?: string;
  participantId?: string;
  /** ISO 8601 instants, UTC. */
  from?: string;
  to?: string;
}

export const OUTCOMES: readonly AuditOutcome[] = ['success', 'denied', 'failure'];

const present = (value: FormDataEntryValue | string | null): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const outcomeOf = (value: string | undefined): AuditOutcome | undefined => OUTCOMES.find((known) => known === value);

export function readFilters(params: URLSearchParams): AuditFilters {
  return {
    action: present(params.get('action')),
    outcome: outcomeOf(present(params.get('outcome'))),
    actorId: present(params.get('actorId')),
    participantId: present(params.get('participantId')),
    from: present(params.get('from')),
    to: present(params.get('to')),
  };
}

export function writeFilters(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (typeof value === 'string') params.set(key, value);
  return params;
}

/** The table shows UTC, so the time inputs are UTC too: `2025-01-31T09:15` ⇄ `2025-01-31T09:15:00.000Z`. */
export const toUtcInput = (iso: string | undefined): string => iso?.slice(0, 16) ?? '';
const fromUtcInput = (value: string | undefined): string | undefined => value && `${value}:00.000Z`;

export function filtersFromForm(form: FormData): AuditFilters {
  return {
    action: present(form.get('action')),
    outcome: outcomeOf(present(form.get('outcome'))),
    actorId: present(form.get('actorId')),
    participantId: present(form.get('participantId')),
    from: fromUtcInput(present(form.get('from'))),
    to: fromUtcInput(present(form.get('to'))),
  };
}

/** The event opened in the detail drawer (`?event=<seq>`), if any. */
export const readSelectedEvent = (params: URLSearchParams): number | null => {
  const seq = Number(params.get('event'));
  return Number.isSafeInteger(seq) && seq > 0 ? seq : null;
};
