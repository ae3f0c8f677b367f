import type { AuditService } from '../audit/service.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import type { Database } from '../core/db/database.js';
import type { KeyService } from '../cpm/keys/service.js';
import type { CryptoService } from '../cpm/ops/service.js';

/** What every part of the PKI works with: the store, the trail, the CPM, settings and time. */
export interface PkiDeps {
  database: Database;
  audit: AuditService;
  keys: KeyService;
  crypto: CryptoService;
  config: Config;
  clock: Clock;
}

export const DAY_MS = 86_400_000;

/** Base URL written into certificates for CRL, OCSP and CA-certificate retrieval. */
export const publicBaseUrl = (config: Config): string =>
  (
    config.pkiBaseUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`
  ).replace(/\/$/, '');

export const crlUrl = (config: Config, caId: string): string => `${publicBaseUrl(config)}/pki/crl/${caId}.crl`;
export const caCertUrl = (config: Config, caId: string): string => `${publicBaseUrl(config)}/pki/ca/${caId}.crt`;
export const ocspUrl = (config: Config): string => `${publicBaseUrl(config)}/pki/ocsp`;
