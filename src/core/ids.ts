import { randomFillSync } from 'node:crypto';

/**
 * Ids carry a type prefix (`tok_…`, `req_…`, `evt_…`) so a log line says what it points at.
 * 80 random bits in lowercase base32 keep them short and URL-safe.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export type IdPrefix =
  | 'tok'
  | 'req'
  | 'evt'
  | 'ses'
  | 'key'
  | 'imp'
  | 'fsc'
  | 'asm'
  | 'evd'
  | 'pca'
  | 'crt'
  | 'csr'
  | 'chn'
  | 'ntf'
  | 'whk'
  | 'dlv'
  | 'arv';

/** Random bytes drawn from a pool: one system call per 409 ids instead of one per id. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomTen(): Buffer {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += 10;
  return pool.subarray(poolOffset - 10, poolOffset);
}

export function newId(prefix: IdPrefix): string {
  const bytes = randomTen();
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
