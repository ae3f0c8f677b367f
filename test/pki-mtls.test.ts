import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/core/logger.js';
import { startMtlsListener, type MtlsListener } from '../src/pki/mtls/listener.js';
import { opensslCsr, opensslSelfSigned } from './support/pki.js';
import { freePort, startPkiServer, type PkiTestServer, revokeOverApi } from './support/pki-server.js';
import { PARTICIPANT_A } from './support/server.js';

const run = promisify(execFile);
const TESTSSL = '/usr/bin/testssl';

/** s_client exits 0 or 1 depending on version; what matters is what the handshake printed. */
async function sClient(port: number, dir: string, cert: string, key: string, extra: string[] = []): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-CAfile',
        'root.pem',
        '-cert',
        cert,
        '-key',
        key,
        '-verify_return_error',
        '-brief',
        '-ign_eof',
        ...extra,
      ],
      { cwd: dir },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end('GET /api/v1/pki/certificates HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    child.on('close', () => resolve(out));
  });
}

describe('mTLS listener', () => {
  let t: PkiTestServer;
  let mtls: MtlsListener;
  let dir: string;
  let certId: string;

  const enrol = async (name: string) => {
    const csr = opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` });
    const issued = await t.request({
      method: 'POST',
      url: '/api/v1/pki/certificates',
      as: 'security-officer',
      payload: { participantId: PARTICIPANT_A, profile: 'mtls-client', csrPem: csr.csrPem },
    });
    assert.equal(issued.statusCode, 201, issued.body);
    writeFileSync(path.join(dir, `${name}.pem`), issued.json().certificatePem + issued.json().chainPem[0]);
    writeFileSync(path.join(dir, `${name}.key`), csr.keyPem);
    return issued.json().certificate.id as string;
  };

  before(async () => {
    t = await startPkiServer('sqlite');
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-mtls-'));
    mtls = await startMtlsListener(t.app, createLogger('silent'), '127.0.0.1', await freePort());
    writeFileSync(path.join(dir, 'root.pem'), (await t.app.pki.cas.get(t.rootId)).certificate_pem);
    certId = await enrol('client');
  });
  after(async () => {
    await mtls.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts an issued client certificate and maps it to its participant', async () => {
    const out = await sClient(mtls.port, dir, 'client.pem', 'client.key');
    assert.match(out, /Verification: OK/);
    assert.match(out, /HTTP\/1.1 200/);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: mtls.port,
          path: '/api/v1/pki/certificates',
          ca: readFileSync(path.join(dir, 'root.pem')),
          cert: readFileSync(path.join(dir, 'client.pem')),
          key: readFileSync(path.join(dir, 'client.key')),
          servername: 'api.hub.scheme.local',
        },
        (res) => {
          let data = '';
          res.on('data', (d) => (data += d));
          res.on('end', () => resolve(data));
        },
      );
      req.on('error', reject);
      req.end();
    });
    const items = JSON.parse(body).items as { participantId: string }[];
    assert.ok(
      items.length > 0 && items.every((c) => c.participantId === PARTICIPANT_A),
      "scoped to the certificate's participant",
    );
  });

  it('refuses a client certificate from a foreign CA', async () => {
    opensslSelfSigned(dir, 'foreign', `/CN=${PARTICIPANT_A}`, { days: 2, ca: false });
    const foreign = await sClient(mtls.port, dir, 'foreign.pem', 'foreign.key');
    assert.doesNotMatch(foreign, /HTTP\/1.1/);
    assert.doesNotMatch(
      await sClient(mtls.port, dir, 'foreign.pem', 'foreign.key', ['-tls1_2']),
      /CONNECTION ESTABLISHED/,
    );
  });

  it('refuses a revoked certificate at the handshake', async () => {
    const revokedId = await enrol('revoked');
    const before = await sClient(mtls.port, dir, 'revoked.pem', 'revoked.key');
    assert.match(before, /HTTP\/1.1 200/);
    const revoked = await revokeOverApi(t, 'certificates', revokedId, 'keyCompromise');
    assert.equal(revoked.statusCode, 200);
    await new Promise((r) => setTimeout(r, 300));
    const after = await sClient(mtls.port, dir, 'revoked.pem', 'revoked.key');
    assert.doesNotMatch(after, /HTTP\/1.1/, 'no HTTP answer at all: refused by TLS, not by a route');
    // Under TLS 1.2 the client certificate is judged inside the handshake, which never completes.
    const tls12 = await sClient(mtls.port, dir, 'revoked.pem', 'revoked.key', ['-tls1_2']);
    assert.doesNotMatch(tls12, /CONNECTION ESTABLISHED/);
    assert.match(await sClient(mtls.port, dir, 'client.pem', 'client.key'), /HTTP\/1.1 200/, 'others still connect');
    assert.ok(certId);
  });

  it('passes testssl.sh: no weak protocol or cipher offered', { timeout: 180_000 }, async (ctx) => {
    if (!existsSync(TESTSSL)) {
      if (process.env.CI === 'true') throw new Error('testssl.sh is not installed (apt-get install testssl.sh)');
      ctx.skip('testssl.sh not installed');
      return;
    }
    const json = path.join(dir, 'testssl.json');
    await run(
      TESTSSL,
      ['--quiet', '--color', '0', '--warnings', 'off', '-p', '-s', '-f', '--jsonfile', json, `127.0.0.1:${mtls.port}`],
      { cwd: dir, timeout: 170_000 },
    ).catch(() => undefined);
    const findings = JSON.parse(readFileSync(json, 'utf8')) as { id: string; severity: string; finding: string }[];
    const offered = (id: string) => findings.find((f) => f.id === id)?.finding ?? 'missing';
    for (const id of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1'])
      assert.match(offered(id), /not offered/, `${id}: ${offered(id)}`);
    assert.match(offered('TLS1_2'), /offered/);
    const bad = findings.filter((f) => ['MEDIUM', 'HIGH', 'CRITICAL'].includes(f.severity));
    assert.deepEqual(
      bad.map((f) => `${f.id}: ${f.finding}`),
      [],
    );
  });
});
