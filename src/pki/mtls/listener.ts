import type { FastifyInstance } from 'fastify';
import { isIP } from 'node:net';
import type { SecureContextOptions, Server as TlsServer } from 'node:tls';
import type { App } from '../../app.js';
import { systemContext } from '../../core/context.js';
import type { Logger } from '../../core/logger.js';
import { buildServer } from '../../http/server.js';

/**
 * TLS 1.2 and 1.3 only; for 1.2, ECDHE with AEAD ciphers only (forward secrecy, no CBC, no RSA
 * key exchange). The server key is P-256, so the ECDSA suites are the ones that apply.
 */
export const MTLS_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
].join(':');

/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface MtlsListener {
  server: FastifyInstance;
  port: number;
  /** Resolves once every trust reload asked for so far has been applied. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The participant-facing API on a second port: a client certificate from a hub CA is required,
 * checked against the CRL of every CA in its chain during the handshake and mapped to its
 * participant, whose scope then applies to every route. Trust is rebuilt whenever a CA or a CRL
 * changes, and when an imported CRL reaches its nextUpdate; an issuing CA under an external CA
 * without a current CRL from it is left out, with a warning in the log.
 */
export async function startMtlsListener(app: App, logger: Logger, host: string, port: number): Promise<MtlsListener> {
  const ctx = systemContext();
  const domain = app.config.pkiDnsDomain;
  const ip = isIP(host) ? [host] : [];
  const names = ip.length ? [] : [host];
  const hub = await app.database.db
    .selectFrom('participants')
    .select('id')
    .where('kind', '=', 'hub')
    .executeTakeFirst();
  if (hub) names.push(`api.${hub.id.toLowerCase()}.${domain}`);
  const own = await app.pki.issueListenerCertificate(
    ctx,
    names.filter((n) => n.endsWith(`.${domain}`)),
    ip,
  );
  let timer: NodeJS.Timeout | undefined;
  let reload = (): void => undefined;
  const secure = async (): Promise<SecureContextOptions> => {
    const trust = await app.pki.trustMaterial(ctx);
    for (const { caId, reason } of trust.excluded)
      logger.warn({ caId, reason }, `mTLS listener refuses client certificates of CA ${caId}: ${reason}`);
    clearTimeout(timer);
    if (trust.refreshAt !== undefined) {
      const wait = Date.parse(trust.refreshAt) - app.pki.clock.now().getTime() + 1000;
      timer = setTimeout(() => reload(), Math.min(Math.max(wait, 1000), MAX_TIMER_MS));
      timer.unref();
    }
    return {
      key: own.privateKeyPem,
      cert: own.certificate.certificate_pem + own.chain[0],
      ca: trust.ca,
      crl: trust.crl,
      minVersion: 'TLSv1.2',
      ciphers: MTLS_CIPHERS,
      honorCipherOrder: true,
    };
  };
  const server = await buildServer(app, logger, {
    https: { ...(await secure()), requestCert: true, rejectUnauthorized: true },
    authenticateBy: 'certificate',
  });
  await server.listen({ host, port });
  // Reloads run one after another, each reading the state afresh, so the last one applied is current.
  let pending = Promise.resolve();
  reload = () => {
    pending = pending
      .then(secure)
      .then((options) => (server.server as unknown as TlsServer).setSecureContext(options))
      .catch((error: unknown) =>
        logger.error({ err: error }, 'mTLS listener could not reload its trust; the previous CAs and CRLs stay'),
      );
  };
  const unsubscribe = app.pki.onTrustChange(reload);
  const address = server.server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    settled: () => pending,
    close: async () => {
      unsubscribe();
      clearTimeout(timer);
      await pending;
      await server.close();
    },
  };
}
