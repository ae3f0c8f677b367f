import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: the secret half of tokens and session cookies. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/**
 * SHA-256 is the right hash here: the secrets carry 256 bits of entropy, so a slow password hash
 * would add cost without adding safety.
 */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Constant-time comparison of a presented secret against a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Hash compared when the id is unknown, so a miss costs the same as a wrong secret. */
export const DECOY_HASH = hashSecret('decoy');

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const isWellFormedSecret = (secret: string): boolean => SECRET_PATTERN.test(secret);
