import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { opensslCsr } from './support/pki.js';
import { startPkiServer, type PkiTestServer } from './support/pki-server.js';

const run = promisify(execFile);

describe('trustloop pki CLI', () => {
  let t: PkiTestServer;
  let dir: string;
  const cli = async (token: string, ...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ['bin/trustloop.mjs', 'pki', ...args], {
        env: { ...process.env, TRUSTLOOP_URL: t.baseUrl, TRUSTLOOP_TOKEN: token },
      });
      return { code: 0, out: stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  before(async () => {
    t = await startPkiServer('sqlite');
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-pki-cli-'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('walks a DFSP enrolment: submit, approve, show, revoke, crl', async () => {
    const csr = opensslCsr({ key: 'p256', subject: '/O=Bank A/CN=dfsp-a', dns: ['api.dfsp-a.scheme.local'] });
    writeFileSync(path.join(dir, 'tls.csr'), csr.csrPem);
    const submitted = await cli(
      t.tokens.participant,
      'csr',
      'submit',
      '--csr',
      path.join(dir, 'tls.csr'),
      '--profile',
      'mtls-server',
    );
    assert.equal(submitted.code, 0, submitted.out);
    const enrolmentId = /submitted (csr_[a-z2-7]{16})/.exec(submitted.out)![1]!;
    assert.match(submitted.out, /VALID\s+CSR_SIGNATURE_VALID/);
    assert.match(
      (await cli(t.tokens['security-officer'], 'csr', 'list', '--status', 'pending')).out,
      new RegExp(enrolmentId),
    );
    const out = path.join(dir, 'tls.pem');
    const approved = await cli(t.tokens['security-officer'], 'csr', 'approve', enrolmentId, '--out', out);
    assert.equal(approved.code, 0, approved.out);
    assert.equal(readFileSync(out, 'utf8').match(/BEGIN CERTIFICATE/g)?.length, 3, 'certificate, issuing CA, root');
    const certId = /wrote (crt_[a-z2-7]{16})/.exec(approved.out)![1]!;
    assert.match((await cli(t.tokens.participant, 'cert', 'list', '--expiring', '400')).out, new RegExp(certId));
    const revoked = await cli(t.tokens.participant, 'cert', 'revoke', certId, '--reason', 'superseded');
    assert.equal(revoked.code, 0, revoked.out);
    const again = await cli(t.tokens.participant, 'cert', 'revoke', certId, '--reason', 'superseded');
    assert.notEqual(again.code, 0);
    assert.match(again.out, /already revoked/);
    const crl = await cli(t.tokens.auditor, 'crl', t.issuingId);
    assert.match(crl.out, /BEGIN X509 CRL/);
    assert.match((await cli(t.tokens.auditor, 'ca', 'list')).out, /issuing/);
    const refused = await cli(t.tokens.auditor, 'ca', 'revoke', t.issuingId, '--reason', 'cACompromise');
    assert.notEqual(refused.code, 0, 'an auditor cannot revoke a CA');
    const caRevoked = await cli(t.tokens['security-officer'], 'ca', 'revoke', t.issuingId, '--reason', 'cACompromise');
    assert.equal(caRevoked.code, 0, caRevoked.out);
    assert.match(caRevoked.out, new RegExp(`revoked ${t.issuingId}; the CRL of ${t.rootId} is reissued`));
  });
});
