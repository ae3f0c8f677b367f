import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { systemContext, type RequestContext } from '../../src/core/context.js';
import type { Config } from '../../src/core/config.js';
import { startTestServer, type TestServer } from './server.js';
import type { EngineName } from './engines.js';

/** A port the kernel just handed out and released: free for the server about to start. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export const officer: RequestContext = {
  ...systemContext(),
  service: 'api',
  actor: { type: 'token', id: 'tok_officer', role: 'security-officer', participantId: null },
};

export interface PkiTestServer extends TestServer {
  baseUrl: string;
  rootId: string;
  issuingId: string;
}

/**
 * A test server listening on loopback (so openssl and TLS clients can reach it), its PKI URLs
 * pointing at itself, with a root CA and an issuing CA created through the service.
 */
export async function startPkiServer(engine: EngineName, overrides: Partial<Config> = {}): Promise<PkiTestServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await startTestServer(engine, { port, pkiBaseUrl: baseUrl, ...overrides });
  await t.server.listen({ port, host: '127.0.0.1' });
  const root = await t.app.pki.createCa(officer, {
    name: 'root',
    role: 'root',
    keyType: 'ec-p384',
    commonName: 'Trustloop Test Root CA',
    organization: 'Scheme',
    country: 'KE',
  });
  const issuing = await t.app.pki.createCa(officer, {
    name: 'issuing',
    role: 'issuing',
    parentId: root.id,
    keyType: 'ec-p256',
    commonName: 'Trustloop Test Issuing CA',
    organization: 'Scheme',
    permittedDns: [t.app.config.pkiDnsDomain],
  });
  return { ...t, baseUrl, rootId: root.id, issuingId: issuing.id };
}

/** Revokes a certificate or a CA through the API with an RFC 5280 reason, as the security officer unless told. */
export function revokeOverApi(
  t: TestServer,
  kind: 'certificates' | 'cas',
  id: string,
  reason: string,
  as: Parameters<TestServer['request']>[0]['as'] = 'security-officer',
) {
  return t.request({ method: 'POST', url: `/api/v1/pki/${kind}/${id}/revoke`, as, payload: { reason } });
}

/** Saves the test root and issuing CA certificates, as the server publishes them, to root.pem and issuing.pem in `dir`. */
export async function saveCaCertificates(t: PkiTestServer, dir: string): Promise<void> {
  for (const [file, id] of [
    ['root.pem', t.rootId],
    ['issuing.pem', t.issuingId],
  ] as const) {
    writeFileSync(path.join(dir, file), await (await fetch(`${t.baseUrl}/pki/ca/${id}.pem`)).text());
  }
}
