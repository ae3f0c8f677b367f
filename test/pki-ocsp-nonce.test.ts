import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { forEachEngine } from './support/engines.js';
import { ocspQueryArgs, opensslCsr } from './support/pki.js';
import {
  officer,
  startPkiServer,
  type PkiTestServer,
  revokeOverApi,
  saveCaCertificates,
} from './support/pki-server.js';
import { PARTICIPANT_A } from './support/server.js';

const run = promisify(execFile);

forEachEngine('PKI OCSP answers with a nonce', (engine) => {
  let t: PkiTestServer;
  let dir: string;
  const signatures = async () => (await t.app.audit.list({ action: 'key.sign', limit: 10_000 } as never)).length;
  /** `openssl ocsp -url` as clients run it: a fresh nonce each time, checked in the answer. */
  const query = async (...certs: string[]) => {
    const { stdout, stderr } = await run('openssl', ocspQueryArgs(`${t.baseUrl}/pki/ocsp`, certs), { cwd: dir });
    return stdout + stderr;
  };
  const issue = async (file: string) => {
    const certificate = await t.app.pki.enrolments.issueNow(officer, {
      participantId: PARTICIPANT_A,
      profile: 'mtls-client',
      csrPem: opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` }).csrPem,
    });
    await t.app.pki.ocsp.idle();
    writeFileSync(path.join(dir, file), certificate.certificate_pem);
    return certificate;
  };

  before(async () => {
    t = await startPkiServer(engine);
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-ocsp-nonce-'));
    await saveCaCertificates(t, dir);
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs each nonce answer afresh, and answers revoked at once after a revocation', async () => {
    const certificate = await issue('cert.pem');
    for (let round = 0; round < 2; round += 1) {
      const before = await signatures();
      const answer = await query('cert.pem');
      assert.match(answer, /Response verify OK/);
      assert.match(answer, /cert.pem: good/);
      assert.match(answer, /OCSP Nonce/);
      assert.doesNotMatch(answer, /WARNING|Nonce Verify error/);
      assert.equal(await signatures(), before + 1, 'one audited signature per nonce answer');
    }

    const revoked = await revokeOverApi(t, 'certificates', certificate.id, 'keyCompromise');
    assert.equal(revoked.statusCode, 200, revoked.body);
    const answer = await query('cert.pem');
    assert.match(answer, /Response verify OK/);
    assert.match(answer, /cert.pem: revoked/);
    assert.match(answer, /Reason: keyCompromise/);
    assert.doesNotMatch(answer, /WARNING|Nonce Verify error/);

    await issue('second.pem');
    const both = await query('cert.pem', 'second.pem');
    assert.match(both, /Response verify OK/);
    assert.match(both, /cert.pem: revoked/);
    assert.match(both, /second.pem: good/);
  });

  it('answers an unknown serial unknown, and refuses every certificate of its CA once the CA is revoked', async () => {
    const unknown = await run(
      'openssl',
      ['ocsp', '-issuer', 'issuing.pem', '-serial', '0x0badc0ffee', '-url', `${t.baseUrl}/pki/ocsp`, '-noverify'],
      { cwd: dir },
    );
    assert.match(unknown.stdout + unknown.stderr, /0x0badc0ffee: unknown/);

    await issue('other.pem');
    assert.match(await query('other.pem'), /other.pem: good/);
    const revoked = await revokeOverApi(t, 'cas', t.issuingId, 'cACompromise');
    assert.equal(revoked.statusCode, 200, revoked.body);
    const refused = await query('other.pem').catch(
      (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
    );
    assert.match(refused, /Responder Error: unauthorized/);
  });
});
