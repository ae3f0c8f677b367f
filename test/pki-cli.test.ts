import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PARTICIPANT_A, PARTICIPANT_B } from './support/server.js';
import { opensslCsr, opensslSelfSigned } from './support/pki.js';
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

  it('requests an issuing CA under an imported external root: create, show, complete', async () => {
    const officerToken = t.tokens['security-officer'];
    const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
    opensslSelfSigned(dir, 'ext', '/O=Scheme/CN=Existing Root');
    const imported = await cli(
      officerToken,
      'ca',
      'import',
      '--name',
      'existing-root',
      '--cert',
      path.join(dir, 'ext.pem'),
    );
    assert.equal(imported.code, 0, imported.out);
    const externalId = /imported (pca_[a-z2-7]{16})/.exec(imported.out)![1]!;

    const underOwn = await cli(
      officerToken,
      'ca',
      'request',
      'create',
      '--name',
      'x',
      '--parent',
      t.rootId,
      '--cn',
      'X',
    );
    assert.equal(underOwn.code, 2, underOwn.out);
    assert.match(
      underOwn.out,
      /ERR_VALIDATION: parentId: CA 'pca_[a-z2-7]{16}' is held here; create the issuing CA directly/,
    );

    const csrFile = path.join(dir, 'existing-issuing.csr');
    const created = await cli(
      officerToken,
      'ca',
      'request',
      'create',
      '--name',
      'existing-issuing',
      '--parent',
      externalId,
      '--cn',
      'Existing Issuing CA',
      '--org',
      'Scheme',
      '--key-type',
      'ec-p256',
      '--out',
      csrFile,
    );
    assert.equal(created.code, 0, created.out);
    const requestId = /requested (csr_[a-z2-7]{16})/.exec(created.out)![1]!;
    assert.match(created.out, new RegExp(`under ${externalId}`));
    const stored = await t.request({ method: 'GET', url: `/api/v1/pki/cas/requests/${requestId}`, as: 'auditor' });
    assert.equal(readFileSync(csrFile, 'utf8'), stored.json().csrPem);
    const verified = await openssl('req', '-in', csrFile, '-verify', '-noout', '-subject');
    assert.match(verified.stdout + verified.stderr, /CN\s?=\s?Existing Issuing CA/);

    const shown = await cli(t.tokens.auditor, 'ca', 'request', 'show', requestId);
    assert.equal(shown.code, 0, shown.out);
    assert.match(
      shown.out,
      new RegExp(`^${requestId} existing-issuing pending \\(O=Scheme, CN=Existing Issuing CA\\)`, 'm'),
    );
    assert.match(shown.out, /-----BEGIN CERTIFICATE REQUEST-----/);
    const listed = await cli(t.tokens.auditor, 'ca', 'request', 'list', '--status', 'pending');
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, new RegExp(`^${requestId} pending existing-issuing `, 'm'));
    const badStatus = await cli(t.tokens.auditor, 'ca', 'request', 'list', '--status', 'lost');
    assert.notEqual(badStatus.code, 0);
    assert.match(badStatus.out, /ERR_VALIDATION/);

    // The root's own certificate is not for the request's key; a missing file never reaches the server.
    const wrong = await cli(officerToken, 'ca', 'request', 'complete', requestId, '--cert', path.join(dir, 'ext.pem'));
    assert.equal(wrong.code, 1);
    assert.match(wrong.out, /ERR_CHAIN_INVALID: the certificate is not for the key of this request/);
    const missing = await cli(
      officerToken,
      'ca',
      'request',
      'complete',
      requestId,
      '--cert',
      path.join(dir, 'nope.pem'),
    );
    assert.equal(missing.code, 2);
    assert.match(missing.out, /ERR_VALIDATION: cannot read/);
    const auditorTry = await cli(
      t.tokens.auditor,
      'ca',
      'request',
      'complete',
      requestId,
      '--cert',
      path.join(dir, 'ext.pem'),
    );
    assert.equal(auditorTry.code, 1);
    assert.match(auditorTry.out, /ERR_FORBIDDEN: your role does not grant 'pki:manage'/);

    writeFileSync(
      path.join(dir, 'ca.ext'),
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n',
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      csrFile,
      '-CA',
      'ext.pem',
      '-CAkey',
      'ext.key',
      '-set_serial',
      '0x0c11',
      '-days',
      '365',
      '-extfile',
      'ca.ext',
      '-out',
      'existing-issuing.pem',
    );
    const completed = await cli(
      officerToken,
      'ca',
      'request',
      'complete',
      requestId,
      '--cert',
      path.join(dir, 'existing-issuing.pem'),
    );
    assert.equal(completed.code, 0, completed.out);
    const caId =
      /issuing CA (pca_[a-z2-7]{16}) \(existing-issuing, O=Scheme, CN=Existing Issuing CA\) is active under/.exec(
        completed.out,
      )![1]!;
    const ca = await t.request({ method: 'GET', url: `/api/v1/pki/cas/${caId}`, as: 'auditor' });
    assert.deepEqual(
      [ca.json().role, ca.json().source, ca.json().parentId, ca.json().status],
      ['issuing', 'cpm', externalId, 'active'],
    );
    assert.match(
      (await cli(t.tokens.auditor, 'ca', 'request', 'show', requestId)).out,
      new RegExp(`completed .*issuing CA ${caId}`),
    );
    const again = await cli(
      officerToken,
      'ca',
      'request',
      'complete',
      requestId,
      '--cert',
      path.join(dir, 'existing-issuing.pem'),
    );
    assert.equal(again.code, 1);
    assert.match(again.out, /ERR_CONFLICT: CA request 'csr_[a-z2-7]{16}' is already completed/);
  });

  it("lists, adds and removes a participant's domains", async () => {
    const officerToken = t.tokens['security-officer'];
    const added = await cli(officerToken, 'domain', 'add', 'bank-a.example', '--participant', PARTICIPANT_A);
    assert.equal(added.code, 0, added.out);
    assert.match(added.out, /registered bank-a\.example to dfsp-a/);

    const listed = await cli(t.tokens.participant, 'domain', 'list', '--participant', PARTICIPANT_A, '--json');
    assert.equal(listed.code, 0, listed.out);
    assert.deepEqual(
      (JSON.parse(listed.out) as { domain: string; participantId: string }[]).map(({ domain, participantId }) => ({
        domain,
        participantId,
      })),
      [{ domain: 'bank-a.example', participantId: PARTICIPANT_A }],
    );
    const foreign = await cli(t.tokens.participant, 'domain', 'list', '--participant', PARTICIPANT_B);
    assert.equal(foreign.code, 1);
    assert.match(foreign.out, /ERR_NOT_FOUND: participant 'dfsp-b' does not exist or is not visible to you/);
    const byParticipant = await cli(
      t.tokens.participant,
      'domain',
      'add',
      'wallet.example',
      '--participant',
      PARTICIPANT_A,
    );
    assert.equal(byParticipant.code, 1);
    assert.match(byParticipant.out, /ERR_FORBIDDEN/);
    const overlap = await cli(officerToken, 'domain', 'add', 'api.bank-a.example', '--participant', PARTICIPANT_B);
    assert.equal(overlap.code, 1);
    assert.match(
      overlap.out,
      /ERR_CONFLICT: 'api\.bank-a\.example' overlaps 'bank-a\.example', registered to another participant/,
    );
    const bad = await cli(officerToken, 'domain', 'add', '*.bank-a.example', '--participant', PARTICIPANT_A);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /ERR_VALIDATION/);

    const removed = await cli(officerToken, 'domain', 'remove', 'bank-a.example', '--participant', PARTICIPANT_A);
    assert.equal(removed.code, 0, removed.out);
    assert.match(removed.out, /removed bank-a\.example from dfsp-a/);
    const left = await t.request({
      method: 'GET',
      url: `/api/v1/pki/participants/${PARTICIPANT_A}/domains`,
      as: 'auditor',
    });
    assert.deepEqual(left.json().items, []);
    const twice = await cli(officerToken, 'domain', 'remove', 'bank-a.example', '--participant', PARTICIPANT_A);
    assert.equal(twice.code, 1);
    assert.match(twice.out, /ERR_NOT_FOUND: domain 'bank-a\.example' does not exist/);
  });
});
