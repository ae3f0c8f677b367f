import { AuditService } from './audit/service.js';
import type { Config } from './core/config.js';
import { openDatabase, type Database } from './core/db/database.js';
import { migrateToLatest } from './core/db/migrate.js';
import { SessionService } from './iam/sessions/service.js';
import { TokenService } from './iam/tokens/service.js';
import { AccessReviewService } from './iam/reviews/service.js';
import { ParticipantService } from './participants/service.js';
import { KeystoreCeremony } from './cpm/keystore/ceremony.js';
import { Pkcs11Keystore } from './cpm/keystore/pkcs11.js';
import { SoftwareKeystore } from './cpm/keystore/software.js';
import type { Keystore } from './cpm/keystore/types.js';
import { KeyImportService } from './cpm/keys/import.js';
import { KeyService } from './cpm/keys/service.js';
import { CryptoService } from './cpm/ops/service.js';
import { CertificateRegistry } from './fspiop/certificates/service.js';
import { FspiopService } from './fspiop/service.js';
import { CatalogRegistry } from './controls/catalog/registry.js';
import { CollectorService } from './controls/collectors.js';
import { EvidenceService } from './controls/evidence.js';
import { ControlsService } from './controls/service.js';
import { PkiService } from './pki/service.js';
import { DEFAULT_DISPATCH, Dispatcher } from './notifications/dispatcher.js';
import { NotificationService } from './notifications/service.js';

/** Every service, wired once; the HTTP server and the CLI both start from here. */
export interface App {
  config: Config;
  database: Database;
  audit: AuditService;
  tokens: TokenService;
  accessReviews: AccessReviewService;
  sessions: SessionService;
  participants: ParticipantService;
  keystore: Keystore;
  ceremony: KeystoreCeremony;
  keys: KeyService;
  keyImport: KeyImportService;
  crypto: CryptoService;
  fspiop: FspiopService;
  controls: ControlsService;
  evidence: EvidenceService;
  collectors: CollectorService;
  pki: PkiService;
  notifications: NotificationService;
  /** Sends the outbox's pending webhook deliveries; the server runs it on its scheduler. */
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  migrate?: boolean;
}

export async function openApp(config: Config, options: OpenAppOptions = {}): Promise<App> {
  const database = openDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
  });
  try {
    if (options.migrate !== false) await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const audit = new AuditService(database);
  const tokens = new TokenService(database, audit);
  const software = config.keystore === 'software' ? new SoftwareKeystore() : null;
  const keystore: Keystore =
    software ??
    new Pkcs11Keystore({
      module: config.pkcs11Module,
      tokenLabel: config.pkcs11Token,
      pin: config.pkcs11Pin ?? '',
      sessions: config.pkcs11Sessions,
    });
  const keys = new KeyService(database, audit, keystore);
  const crypto = new CryptoService(database, audit, keystore, keys);
  const participants = new ParticipantService(database, audit);
  const notifications = new NotificationService(database, audit, keys, crypto, config.webhookAllowPrivateNetworks);
  const controls = new ControlsService(database, audit, participants, CatalogRegistry.fromDirectory());
  await controls.loadImported();
  const evidence = new EvidenceService(database, audit, participants);
  const accessReviews = new AccessReviewService(database, audit, tokens, notifications);
  const collectors = new CollectorService(
    database,
    audit,
    controls,
    evidence,
    notifications,
    keys,
    tokens,
    accessReviews,
  );
  const pki = new PkiService(database, audit, keys, crypto, config, notifications);
  return {
    config,
    database,
    audit,
    tokens,
    accessReviews,
    sessions: new SessionService(database, tokens, audit, config.sessionTtlMinutes),
    participants,
    keystore,
    ceremony: new KeystoreCeremony(database, audit, keystore, software),
    keys,
    keyImport: new KeyImportService(database, audit, keystore, keys),
    crypto,
    fspiop: new FspiopService(audit, keys, crypto, new CertificateRegistry(database, audit)),
    controls,
    evidence,
    collectors,
    pki,
    notifications,
    dispatcher: new Dispatcher(database, audit, notifications.seal, () => keystore.sealed, {
      ...DEFAULT_DISPATCH,
      allowPrivateNetworks: config.webhookAllowPrivateNetworks,
    }),
    close: async () => {
      await pki.close();
      await keystore.close();
      await audit.close();
      await database.close();
    },
  };
}
