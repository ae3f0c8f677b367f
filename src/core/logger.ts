import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Paths pino removes from every line. Tokens, cookies, keys and secrets never reach a log, whatever
 * object a caller hands over: redaction is by design, not by each caller's care.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.secret',
  '*.password',
  '*.privateKey',
  '*.key',
  '*.shares',
  '*.share',
  '*.pin',
  '*.pkcs11Pin',
  '*.csrfToken',
  'token',
  'secret',
  'password',
];

export type { Logger };

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'trustloop' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination as pino.DestinationStream | undefined,
  );
}
