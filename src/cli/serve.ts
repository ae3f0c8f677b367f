import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { openApp, type App } from '../app.js';
import { systemContext } from '../core/context.js';
import { createLogger, type Logger } from '../core/logger.js';
import { Scheduler } from '../core/scheduler.js';
import { migrateToLatest } from '../core/db/migrate.js';
import { openDatabase } from '../core/db/database.js';
import { buildServer } from '../http/server.js';
import { buildVerifyingProxy } from '../fspiop/proxy.js';
import { startMtlsListener } from '../pki/mtls/listener.js';
import { DEV_SHARE_FILE } from '../cpm/keystore/ceremony.js';
import type { ConfigLoader } from './context.js';
import { printJson, writeOut } from './output.js';

const INITIAL_TOKEN_DAYS = 30;

/** The inline FSPIOP verifier in front of the switch, when an upstream is configured. */
async function startFspiopProxy(app: App, logger: Logger) {
  const upstream = app.config.fspiopProxyUpstream;
  if (!upstream) return null;
  const proxy = await buildVerifyingProxy(app, { upstream });
  await proxy.listen({ host: app.config.host, port: app.config.fspiopProxyPort });
  const address = proxy.server.address();
  const port = typeof address === 'object' && address ? address.port : app.config.fspiopProxyPort;
  logger.info({ port, upstream }, 'FSPIOP verifying proxy listening');
  return proxy;
}

function startJobs(app: App, logger: Logger): Scheduler {
  const scheduler = new Scheduler(logger);
  scheduler.every({
    name: 'key-lifecycle',
    everyMs: app.config.keyLifecycleIntervalSeconds * 1000,
    run: async () => ({
      ...(await app.keys.runLifecycle(systemContext())),
      importTokensExpired: await app.keyImport.sweepExpired(),
    }),
  });
  // Evidence goes stale after 24 hours; collecting hourly keeps it fresh and failures prompt.
  scheduler.every({
    name: 'evidence-collectors',
    everyMs: app.config.collectorIntervalMinutes * 60_000,
    run: () => app.collectors.runScheduled(systemContext()),
    startNow: true,
  });
  // CRLs before their nextUpdate, responder certificates, expiry announcements.
  scheduler.every({ name: 'pki-upkeep', everyMs: 600_000, run: () => app.pki.maintain() });
  // The outbox: pending webhook deliveries, retried with backoff until dead-lettered.
  scheduler.every({
    name: 'notification-delivery',
    everyMs: app.config.notificationIntervalSeconds * 1000,
    run: () => app.dispatcher.run(),
    startNow: true,
  });
  return scheduler;
}

export function serverCommands(program: Command, loadConfig: ConfigLoader): void {
  program
    .command('serve')
    .description('start the API and web UI')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const app = await openApp(config);
      await printInitialTokenOnce(app);
      await app.ceremony.start(systemContext());
      if (config.devUnseal) await devUnseal(app, logger);
      const server = await buildServer(app, logger);
      await server.listen({ host: config.host, port: config.port });
      const scheduler = startJobs(app, logger);
      const proxy = await startFspiopProxy(app, logger);
      // The listener's certificate is signed by the issuing CA, which needs the keystore open.
      const mtls =
        config.mtlsPort === undefined || app.keystore.sealed
          ? undefined
          : await startMtlsListener(app, logger, config.host, config.mtlsPort);
      if (config.mtlsPort !== undefined && !mtls) logger.warn('mTLS listener not started: the keystore is sealed');
      await app.audit.record(systemContext(), {
        action: 'system.start',
        resource: { type: 'service', id: 'trustloop-api' },
        details: { engine: app.database.engine, host: config.host, port: config.port },
      });
      const stop = async (signal: string) => {
        logger.info({ signal }, 'shutting down');
        await app.audit.record(systemContext(), {
          action: 'system.stop',
          resource: { type: 'service', id: 'trustloop-api' },
          details: { signal },
        });
        scheduler.stop();
        await proxy?.close();
        await mtls?.close();
        await server.close();
        await app.close();
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const config = loadConfig();
      const database = openDatabase({
        dataDir: config.dataDir,
        databaseUrl: config.databaseUrl,
        schema: config.databaseSchema,
      });
      try {
        const { applied } = await migrateToLatest(database);
        writeOut(applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');
      } finally {
        await database.close();
      }
    });

  program
    .command('openapi')
    .description('print the OpenAPI 3.1 document')
    .action(async () => {
      // The document needs no data: build the server over a throwaway embedded store.
      const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-openapi-'));
      const app = await openApp({ ...loadConfig(), dataDir, databaseUrl: undefined });
      try {
        const server = await buildServer(app, createLogger('silent'));
        await server.ready();
        printJson(server.swagger());
        await server.close();
      } finally {
        await app.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
}

/** TRUSTLOOP_DEV_UNSEAL: open the keystore from a share kept beside the data, and say so loudly. */
async function devUnseal(app: App, logger: ReturnType<typeof createLogger>): Promise<void> {
  const outcome = await app.ceremony.devUnseal(systemContext(), app.config.dataDir);
  const file = path.join(app.config.dataDir, DEV_SHARE_FILE);
  if (outcome === 'no-share-file') {
    logger.warn(
      { file },
      'TRUSTLOOP_DEV_UNSEAL is set but the keystore was initialised without a development share: it stays sealed',
    );
    return;
  }
  logger.warn(
    { file, outcome },
    'DEVELOPMENT MODE: the keystore was unsealed from a share stored in the data directory. Anyone who can read it holds every key. Never run production like this: use `trustloop keystore init` and unseal with custodian shares.',
  );
}

/**
 * Like `vault operator init`: the first start of an empty store creates one admin token and
 * prints it once, on the terminal and not through the logger, so it never lands in a log pipeline.
 */
async function printInitialTokenOnce(app: App): Promise<void> {
  if ((await app.tokens.count()) > 0) return;
  const created = await app.tokens.create(systemContext(), {
    name: 'initial admin',
    role: 'admin',
    expiresAt: new Date(Date.now() + INITIAL_TOKEN_DAYS * 86_400_000).toISOString(),
  });
  process.stdout.write(
    [
      '',
      '  Trustloop is initialised. Initial admin token (shown once, expires in 30 days):',
      '',
      `    ${created.token}`,
      '',
      `  Log in at http://${app.config.host}:${app.config.port}/ with it, then create named tokens:`,
      '    npx trustloop admin token create --name <who> --role <role>',
      '  and revoke this one:  npx trustloop admin token revoke ' + created.view.id,
      '',
      '',
    ].join('\n'),
  );
}
