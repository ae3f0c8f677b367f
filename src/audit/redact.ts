/**
 * Audit details are for accountability, not for secrets or personal data: values under secret-like
 * keys are dropped, contact details are masked, long strings and deep objects are cut.
 */
const SECRET_KEY = /token|secret|password|passphrase|private|share|pin|csrf|cookie|authorization|^key$|keyMaterial/i;
const PERSONAL_KEY = /email|phone|msisdn/i;
const MAX_STRING = 256;
const MAX_DEPTH = 4;
const MAX_ENTRIES = 50;

export const REDACTED = '[redacted]';

export function redactDetails(value: unknown, depth = 0, key = ''): unknown {
  if (SECRET_KEY.test(key)) return REDACTED;
  if (typeof value === 'string') return PERSONAL_KEY.test(key) ? maskPersonal(value) : cut(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, MAX_ENTRIES).map((item) => redactDetails(item, depth + 1, key));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value).slice(0, MAX_ENTRIES)) {
      if (v !== undefined) out[k] = redactDetails(v, depth + 1, k);
    }
    return out;
  }
  return String(value);
}

const cut = (text: string): string => (text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text);

/** `alice@bank.example` → `a***@bank.example`; `+255712345678` → `***5678`. */
function maskPersonal(text: string): string {
  const at = text.indexOf('@');
  if (at > 0) return `${text[0]}***${cut(text.slice(at))}`;
  return text.length > 4 ? `***${text.slice(-4)}` : '***';
}
