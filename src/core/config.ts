import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrustloopError } from './errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  databaseUrl: string | undefined;
  fspiopProxyUpstream: string | undefined;
  fspiopProxyPort: number;
  databaseSchema: string | undefined;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  sessionTtlMinutes: number;
  publicRateLimitPerMinute: number;
  trustProxy: boolean;
  webDir: string;
  devUnseal: boolean;
  keyLifecycleIntervalSeconds: number;
  collectorIntervalMinutes: number;
  keystore: 'software' | 'pkcs11';
  pkcs11Module: string;
  pkcs11Token: string;
  pkcs11Pin: string | undefined;
  pkcs11Sessions: number;
  pkiBaseUrl: string | undefined;
  pkiDnsDomain: string;
  pkiApprovals: number;
  pkiAllowRsa2048: boolean;
  mtlsPort: number | undefined;
  notificationIntervalSeconds: number;
  webhookAllowPrivateNetworks: boolean;
}

type Key = keyof Config;

/** One row per setting: its environment variable, its parser and its default. */
interface Setting<T> {
  env: string;
  parse: (raw: unknown) => T | undefined;
  expected: string;
  fallback: () => T;
}

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const text =
  (pattern?: RegExp) =>
  (raw: unknown): string | undefined =>
    typeof raw === 'string' && raw.length > 0 && raw.length <= 4096 && (!pattern || pattern.test(raw))
      ? raw
      : undefined;

const integer =
  (min: number, max: number) =>
  (raw: unknown): number | undefined => {
    const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
  };

const boolean = (raw: unknown): boolean | undefined => {
  if (raw === true || raw === 'true' || raw === '1') return true;
  if (raw === false || raw === 'false' || raw === '0') return false;
  return undefined;
};

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (raw: unknown): T | undefined =>
    values.find((value) => value === raw);

const SETTINGS: { [K in Key]: Setting<Config[K]> } = {
  dataDir: { env: 'TRUSTLOOP_DATA_DIR', parse: text(), expected: 'a directory path', fallback: () => './data' },
  host: {
    env: 'TRUSTLOOP_HOST',
    parse: text(/^[A-Za-z0-9.:\-[\]]+$/),
    expected: 'a host name or IP address',
    fallback: () => '127.0.0.1',
  },
  port: { env: 'TRUSTLOOP_PORT', parse: integer(0, 65535), expected: 'an integer 0-65535', fallback: () => 8080 },
  databaseUrl: {
    env: 'DATABASE_URL',
    parse: text(/^postgres(ql)?:\/\/\S+$/),
    expected: 'a postgres:// URL (leave unset for embedded SQLite)',
    fallback: () => undefined,
  },
  fspiopProxyUpstream: {
    env: 'TRUSTLOOP_FSPIOP_PROXY_UPSTREAM',
    parse: text(/^https?:\/\/\S+$/),
    expected: 'an http(s):// URL of the switch the verifying proxy forwards to',
    fallback: () => undefined,
  },
  fspiopProxyPort: {
    env: 'TRUSTLOOP_FSPIOP_PROXY_PORT',
    parse: integer(0, 65535),
    expected: 'an integer 0-65535',
    fallback: () => 8444,
  },
  databaseSchema: {
    env: 'TRUSTLOOP_DATABASE_SCHEMA',
    parse: text(/^[a-z_][a-z0-9_]{0,62}$/),
    expected: 'a PostgreSQL schema name (lowercase letters, digits, _)',
    fallback: () => undefined,
  },
  logLevel: {
    env: 'TRUSTLOOP_LOG_LEVEL',
    parse: oneOf(LOG_LEVELS),
    expected: `one of ${LOG_LEVELS.join(', ')}`,
    fallback: () => 'info',
  },
  bodyLimitBytes: {
    env: 'TRUSTLOOP_BODY_LIMIT_BYTES',
    parse: integer(1024, 64 * 1024 * 1024),
    expected: 'an integer number of bytes between 1024 and 67108864',
    fallback: () => 1024 * 1024,
  },
  sessionTtlMinutes: {
    env: 'TRUSTLOOP_SESSION_TTL_MINUTES',
    parse: integer(1, 7 * 24 * 60),
    expected: 'an integer number of minutes between 1 and 10080',
    fallback: () => 8 * 60,
  },
  publicRateLimitPerMinute: {
    env: 'TRUSTLOOP_PUBLIC_RATE_LIMIT',
    parse: integer(1, 1_000_000),
    expected: 'an integer number of requests per minute, at least 1',
    fallback: () => 120,
  },
  trustProxy: {
    env: 'TRUSTLOOP_TRUST_PROXY',
    parse: boolean,
    expected: 'true or false',
    fallback: () => false,
  },
  keyLifecycleIntervalSeconds: {
    env: 'TRUSTLOOP_KEY_LIFECYCLE_INTERVAL_SECONDS',
    parse: integer(10, 86_400),
    expected: 'an integer number of seconds between 10 and 86400',
    fallback: () => 300,
  },
  collectorIntervalMinutes: {
    env: 'TRUSTLOOP_COLLECTOR_INTERVAL_MINUTES',
    parse: integer(1, 7 * 24 * 60),
    expected: 'an integer number of minutes between 1 and 10080',
    fallback: () => 60,
  },
  devUnseal: {
    env: 'TRUSTLOOP_DEV_UNSEAL',
    parse: boolean,
    expected: 'true or false (development only: keeps a keystore share in the data directory)',
    fallback: () => false,
  },
  keystore: {
    env: 'TRUSTLOOP_KEYSTORE',
    parse: oneOf(['software', 'pkcs11'] as const),
    expected: 'software or pkcs11',
    fallback: () => 'software',
  },
  pkcs11Module: {
    env: 'TRUSTLOOP_PKCS11_MODULE',
    parse: text(/^\/\S+\.so(\.\d+)*$/),
    expected: 'the absolute path of a PKCS#11 module (.so)',
    fallback: () => '/usr/lib/softhsm/libsofthsm2.so',
  },
  pkcs11Token: {
    env: 'TRUSTLOOP_PKCS11_TOKEN',
    parse: text(/^.{1,32}$/),
    expected: 'a token label of 1-32 characters',
    fallback: () => 'trustloop',
  },
  pkcs11Pin: {
    env: 'TRUSTLOOP_PKCS11_PIN',
    parse: text(/^.{4,64}$/),
    expected: 'the user PIN of the token (4-64 characters)',
    fallback: () => undefined,
  },
  pkcs11Sessions: {
    env: 'TRUSTLOOP_PKCS11_SESSIONS',
    parse: integer(1, 64),
    expected: 'an integer 1-64 (logged-in sessions the PKCS#11 keystore spreads calls over)',
    fallback: () => availableParallelism(),
  },
  pkiBaseUrl: {
    env: 'TRUSTLOOP_PKI_BASE_URL',
    parse: text(/^https?:\/\/[A-Za-z0-9.:\-[\]]+(\/[A-Za-z0-9._~/-]*)?$/),
    expected: 'the public http(s) URL that CRL and OCSP addresses in certificates start with',
    fallback: () => undefined,
  },
  pkiDnsDomain: {
    env: 'TRUSTLOOP_PKI_DNS_DOMAIN',
    parse: text(/^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/),
    expected: 'a DNS domain (participants get names under <participant id>.<domain>)',
    fallback: () => 'scheme.local',
  },
  pkiApprovals: {
    env: 'TRUSTLOOP_PKI_APPROVALS',
    parse: integer(1, 2),
    expected: '1, or 2 for dual control (a second officer approves each enrolment)',
    fallback: () => 1,
  },
  pkiAllowRsa2048: {
    env: 'TRUSTLOOP_PKI_ALLOW_RSA2048',
    parse: boolean,
    expected: 'true or false (accept RSA-2048 participant keys, reported as weaker)',
    fallback: () => false,
  },
  mtlsPort: {
    env: 'TRUSTLOOP_MTLS_PORT',
    parse: integer(0, 65535),
    expected: 'an integer 0-65535 for the participant mTLS listener (unset: no listener)',
    fallback: () => undefined,
  },
  notificationIntervalSeconds: {
    env: 'TRUSTLOOP_NOTIFICATION_INTERVAL_SECONDS',
    parse: integer(1, 3600),
    expected: 'an integer number of seconds between 1 and 3600 (how often pending webhooks are sent)',
    fallback: () => 15,
  },
  webhookAllowPrivateNetworks: {
    env: 'TRUSTLOOP_WEBHOOK_ALLOW_PRIVATE',
    parse: boolean,
    expected: 'true or false (let webhook URLs reach loopback and private addresses)',
    fallback: () => false,
  },
  webDir: {
    env: 'TRUSTLOOP_WEB_DIR',
    parse: text(),
    expected: 'a directory path',
    fallback: () => path.join(PROJECT_ROOT, 'dist/web'),
  },
};

export const CONFIG_FILE_ENV = 'TRUSTLOOP_CONFIG';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration once: defaults, then the optional JSON file named by TRUSTLOOP_CONFIG,
 * then environment variables. Throws ERR_CONFIG with one line naming the bad setting.
 */
export function loadConfig(env: Environment = process.env, overrides: Partial<Config> = {}): Config {
  const file = readConfigFile(env[CONFIG_FILE_ENV]);
  const config = {} as Record<Key, unknown>;
  for (const key of Object.keys(SETTINGS) as Key[]) {
    const setting = SETTINGS[key] as Setting<unknown>;
    config[key] = resolveSetting(key, setting, overrides[key], env[setting.env], file[key]);
  }
  if (config.keystore === 'pkcs11' && config.pkcs11Pin === undefined) {
    throw new TrustloopError('ERR_CONFIG', 'TRUSTLOOP_PKCS11_PIN must be set when TRUSTLOOP_KEYSTORE is pkcs11');
  }
  return config as unknown as Config;
}

function resolveSetting(
  key: Key,
  setting: Setting<unknown>,
  override: unknown,
  fromEnv: string | undefined,
  fromFile: unknown,
): unknown {
  if (override !== undefined) return override;
  const [raw, source] =
    fromEnv !== undefined && fromEnv !== '' ? [fromEnv, setting.env] : [fromFile, `config file key "${key}"`];
  if (raw === undefined) return setting.fallback();
  const value = setting.parse(raw);
  if (value === undefined) {
    throw new TrustloopError('ERR_CONFIG', `${source} must be ${setting.expected}`);
  }
  return value;
}

function readConfigFile(file: string | undefined): Partial<Record<Key, unknown>> {
  if (!file) return {};
  if (!existsSync(file)) throw new TrustloopError('ERR_CONFIG', `${CONFIG_FILE_ENV} names a file that does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new TrustloopError('ERR_CONFIG', `${CONFIG_FILE_ENV} file is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TrustloopError('ERR_CONFIG', `${CONFIG_FILE_ENV} file must hold a JSON object`);
  }
  const unknownKey = Object.keys(parsed).find((key) => !(key in SETTINGS));
  if (unknownKey !== undefined) {
    throw new TrustloopError('ERR_CONFIG', `config file key "${unknownKey.slice(0, 64)}" is not a known setting`);
  }
  return parsed as Partial<Record<Key, unknown>>;
}

/** The documented settings, for the README and `trustloop config`. */
export const describeSettings = (): { env: string; key: string; expected: string }[] =>
  (Object.keys(SETTINGS) as Key[]).map((key) => ({ env: SETTINGS[key].env, key, expected: SETTINGS[key].expected }));
