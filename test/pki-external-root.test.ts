import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { forEachEngine } from './support/engines.js';
import { opensslCsr, opensslSelfSigned } from './support/pki.js';
import { officer } from './support/pki-server.js';
import { PARTICIPANT_A, startTestServer, type TestServer } from './support/server.js';

const run = promisify(execFile);

forEachEngine('PKI issuing CA in the CPM under an imported external root', (engine) => {
  let t: TestServer;
  let dir: string;
  const openssl = async (...args: string[]) => {
    const { stdout, stderr } = await run('openssl', args, { cwd: dir });
    return stdout + stderr;
  };
  /** A self-signed CA made by openssl, as a scheme that already runs its own root would have. */
  const opensslRoot = (name: string) => opensslSelfSigned(dir, name, `/O=Scheme/CN=${name}`);
  const signWith = (root: string, csr: string, out: string) =>
    openssl(
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      `${root}.pem`,
      '-CAkey',
      `${root}.key`,
      '-set_serial',
      '0x51c0ffee',
      '-days',
      '365',
      '-extfile',
      'ca.ext',
      '-out',
      out,
    );
  const complete = (id: string, file: string) =>
    t.request({
      method: 'POST',
      url: `/api/v1/pki/cas/requests/${id}/certificate`,
      as: 'security-officer',
      payload: { certificatePem: readFileSync(path.join(dir, file), 'utf8') },
    });

  before(async () => {
    t = await startTestServer(engine);
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-external-root-'));
    writeFileSync(
      path.join(dir, 'ca.ext'),
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('requests a CSR for a CPM key, takes back the signed certificate and issues under it', async () => {
    opensslRoot('external');
    const imported = await t.request({
      method: 'POST',
      url: '/api/v1/pki/cas/import',
      as: 'security-officer',
      payload: { name: 'external-root', certificatePem: readFileSync(path.join(dir, 'external.pem'), 'utf8') },
    });
    assert.equal(imported.statusCode, 201, imported.body);
    const rootId = imported.json().id as string;

    const requested = await t.request({
      method: 'POST',
      url: '/api/v1/pki/cas/requests',
      as: 'security-officer',
      payload: {
        name: 'ext-issuing',
        parentId: rootId,
        keyType: 'ec-p256',
        commonName: 'Ext Issuing',
        organization: 'Scheme',
      },
    });
    assert.equal(requested.statusCode, 201, requested.body);
    const request = requested.json();
    assert.equal(request.status, 'pending');
    writeFileSync(path.join(dir, 'ca.csr'), request.csrPem);
    assert.match(await openssl('req', '-in', 'ca.csr', '-verify', '-noout'), /verif(y|ication) OK/i);
    assert.match(await openssl('req', '-in', 'ca.csr', '-noout', '-subject'), /CN\s?=\s?Ext Issuing/);

    // A certificate for another key, and one from another root, are refused.
    await openssl(
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'other.key',
      '-out',
      'other.csr',
      '-subj',
      '/CN=other',
    );
    await signWith('external', 'other.csr', 'other.pem');
    assert.equal((await complete(request.id, 'other.pem')).json().code, 'ERR_CHAIN_INVALID');
    opensslRoot('stranger');
    await signWith('stranger', 'ca.csr', 'stranger-signed.pem');
    const foreign = await complete(request.id, 'stranger-signed.pem');
    assert.equal(foreign.json().code, 'ERR_CHAIN_INVALID');
    assert.match(foreign.json().detail, /not signed by CA/);

    await signWith('external', 'ca.csr', 'issuing.pem');
    const completed = await complete(request.id, 'issuing.pem');
    assert.equal(completed.statusCode, 201, completed.body);
    const ca = completed.json();
    assert.equal(ca.role, 'issuing');
    assert.equal(ca.source, 'cpm');
    assert.equal(ca.parentId, rootId);
    assert.equal(ca.keyId, request.keyId);
    assert.equal((await complete(request.id, 'issuing.pem')).statusCode, 409, 'completed once');
    assert.equal(
      (await t.request({ method: 'GET', url: `/api/v1/pki/cas/requests/${request.id}`, as: 'auditor' })).json().caId,
      ca.id,
    );

    const leaf = await t.app.pki.enrolments.issueNow(officer, {
      participantId: PARTICIPANT_A,
      profile: 'mtls-client',
      caId: ca.id,
      csrPem: opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` }).csrPem,
    });
    writeFileSync(path.join(dir, 'leaf.pem'), leaf.certificate_pem);
    assert.match(
      await openssl('verify', '-CAfile', 'external.pem', '-untrusted', 'issuing.pem', 'leaf.pem'),
      /leaf.pem: OK/,
    );
    const crl = await t.app.pki.revocation.currentCrl(officer, ca.id);
    writeFileSync(path.join(dir, 'issuing.crl'), Buffer.from(crl.der, 'base64'));
    assert.match(
      await openssl('crl', '-inform', 'DER', '-in', 'issuing.crl', '-CAfile', 'issuing.pem', '-noout', '-verify'),
      /verify OK/,
    );
  });
});
