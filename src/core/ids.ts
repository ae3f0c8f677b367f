import { randomBytes } from 'node:crypto';

/**
 * Ids carry a type prefix (`tok_…`, `req_…`, `evt_…`) so a log line says what it points at.
 * 80 random bits in lowercase base32 keep them short and URL-safe.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export type IdPrefix = 'tok' | 'req' | 'evt' | 'ses';

export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `${prefix}_${out}`;
}

export const ID_PATTERN = '^[a-z]{3}_[a-z2-7]{16}$';
