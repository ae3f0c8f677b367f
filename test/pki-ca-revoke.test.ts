import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { createLogger } from '../src/core/logger.js';
import { startMtlsListener, type MtlsListener } from '../src/pki/mtls/listener.js';
import { forEachEngine } from './support/engines.js';
import { opensslCsr } from './support/pki.js';
import { freePort, officer, startPkiServer, type PkiTestServer, revokeOverApi } from './support/pki-server.js';
import { PARTICIPANT_A } from './support/server.js';

const run = promisify(execFile);

async function openssl(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('openssl', args, { cwd });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** What `openssl s_client` printed for one request over mTLS with the given client certificate. */
function sClient(port: number, dir: string): Promise<string> {
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
        'client.pem',
        '-key',
        'client.key',
        '-verify_return_error',
        '-brief',
        '-ign_eof',
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

forEachEngine('PKI revocation of an issuing CA', (engine) => {
  let t: PkiTestServer;
  let mtls: MtlsListener;
  let dir: string;

  const saveCrls = async () => {
    for (const [id, file] of [
      [t.issuingId, 'issuing.crl'],
      [t.rootId, 'root.crl'],
    ] as const)
      writeFileSync(
        path.join(dir, file),
        Buffer.from(await (await fetch(`${t.baseUrl}/pki/crl/${id}.crl`)).arrayBuffer()),
      );
  };
  const verify = () =>
    openssl(
      [
        'verify',
        '-crl_check_all',
        '-CRLfile',
        'issuing.crl',
        '-CRLfile',
        'root.crl',
        '-CAfile',
        'root.pem',
        '-untrusted',
        'issuing.pem',
        'leaf.pem',
      ],
      dir,
    );
  const csrPem = () => opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` });

  before(async () => {
    t = await startPkiServer(engine);
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-ca-revoke-'));
    mtls = await startMtlsListener(t.app, createLogger('silent'), '127.0.0.1', await freePort());
    writeFileSync(path.join(dir, 'root.pem'), (await t.app.pki.cas.get(t.rootId)).certificate_pem);
    writeFileSync(path.join(dir, 'issuing.pem'), (await t.app.pki.cas.get(t.issuingId)).certificate_pem);
  });
  after(async () => {
    await mtls.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts the CA on the root's CRL: its certificates fail verification and mTLS, it signs no more", async () => {
    const csr = csrPem();
    const leaf = await t.app.pki.enrolments.issueNow(officer, {
      participantId: PARTICIPANT_A,
      profile: 'mtls-client',
      csrPem: csr.csrPem,
    });
    writeFileSync(path.join(dir, 'leaf.pem'), leaf.certificate_pem);
    writeFileSync(path.join(dir, 'client.pem'), leaf.certificate_pem + (await t.app.pki.cas.chainPem(t.issuingId))[0]);
    writeFileSync(path.join(dir, 'client.key'), csr.keyPem);
    await saveCrls();
    const good = await verify();
    assert.equal(good.code, 0, good.out);
    assert.match(await sClient(mtls.port, dir), /HTTP\/1.1 200/);

    const revoked = await revokeOverApi(t, 'cas', t.issuingId, 'cACompromise');
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().status, 'retired');
    assert.equal(revoked.json().revocationReason, 'cACompromise');
    assert.ok(revoked.json().revokedAt);
    const event = (await t.app.audit.list({ action: 'pki.ca.revoke', limit: 1 } as never))[0]!;
    assert.equal(event.resource.id, t.issuingId);
    assert.equal((event.details as { reason: string }).reason, 'cACompromise');

    await saveCrls();
    const rootCrl = await openssl(['crl', '-inform', 'DER', '-in', 'root.crl', '-noout', '-text'], dir);
    assert.match(rootCrl.out, new RegExp((await t.app.pki.cas.get(t.issuingId)).serial.toUpperCase()));
    assert.match(rootCrl.out, /CA Compromise/);
    const refused = await verify();
    assert.notEqual(refused.code, 0);
    assert.match(refused.out, /certificate revoked/);

    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.doesNotMatch(await sClient(mtls.port, dir), /HTTP\/1.1/, 'refused by TLS');
    await assert.rejects(
      t.app.pki.actorForCertificate(Buffer.from(leaf.certificate_pem.split('\n').slice(1, -2).join(''), 'base64')),
      {
        code: 'ERR_UNAUTHENTICATED',
      },
    );

    await assert.rejects(
      t.app.pki.enrolments.issueNow(officer, {
        participantId: PARTICIPANT_A,
        profile: 'mtls-client',
        csrPem: csrPem().csrPem,
        caId: t.issuingId,
      }),
      { code: 'ERR_CA_UNUSABLE' },
    );
    const again = await revokeOverApi(t, 'cas', t.issuingId, 'cACompromise');
    assert.equal(again.json().code, 'ERR_ALREADY_REVOKED');
    const root = await revokeOverApi(t, 'cas', t.rootId, 'cACompromise');
    assert.equal(root.statusCode, 409, root.body);
    const asParticipant = await revokeOverApi(t, 'cas', t.rootId, 'cACompromise', 'participant');
    assert.equal(asParticipant.statusCode, 403);
  });
});
