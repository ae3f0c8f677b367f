import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { createLogger } from '../src/core/logger.js';
import { startMtlsListener, type MtlsListener } from '../src/pki/mtls/listener.js';
import { forEachEngine } from './support/engines.js';
import { opensslCsr, opensslSelfSigned } from './support/pki.js';
import { freePort, officer, startPkiServer, type PkiTestServer, revokeOverApi } from './support/pki-server.js';
import { PARTICIPANT_A } from './support/server.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An `openssl ca` set-up for the external root: its database, CRL number and CRL extensions. */
const CA_CONFIG = `[ ca ]
default_ca = ext
[ ext ]
dir = .
database = index.txt
crlnumber = crlnumber
certificate = external.pem
private_key = external.key
default_md = sha256
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
`;

forEachEngine('mTLS listener: issuing CAs under an imported external root', (engine) => {
  let t: PkiTestServer;
  let mtls: MtlsListener;
  let dir: string;
  let rootId: string;
  const cas: Record<'a' | 'b', string> = { a: '', b: '' };
  let log = '';

  const openssl = async (...args: string[]) => {
    const { stdout, stderr } = await run('openssl', args, { cwd: dir });
    return stdout + stderr;
  };
  /** The root signs its CRL with `openssl ca`, as a scheme running its own root would. */
  const gencrl = (out: string, ...validity: string[]) =>
    openssl('ca', '-config', 'ca.cnf', '-gencrl', ...validity, '-out', out);
  const crlNotices = async () =>
    (await t.app.notifications.list(officer, { type: 'pki.crl.expiring', limit: 10 })).items;
  const importCrl = (caId: string, crl: string) =>
    t.request({ method: 'POST', url: `/api/v1/pki/cas/${caId}/crl/import`, as: 'security-officer', payload: { crl } });
  const file = (name: string) => readFileSync(path.join(dir, name), 'utf8');

  /** s_client exits 0 or 1 depending on version; what matters is what the handshake printed. */
  const sClient = (name: string, extra: string[] = []): Promise<string> =>
    new Promise((resolve) => {
      const child = spawn(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${mtls.port}`,
          '-CAfile',
          'hub-root.pem',
          '-cert',
          `${name}.pem`,
          '-key',
          `${name}.key`,
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
  const accepted = async (name: string) => {
    const out = await sClient(name);
    assert.match(out, /HTTP\/1.1 200/, `${name} should be accepted:\n${out}`);
    return out;
  };
  const refused = async (name: string) => {
    assert.doesNotMatch(await sClient(name), /HTTP\/1.1/, `${name}: refused by TLS, not by a route`);
    assert.doesNotMatch(await sClient(name, ['-tls1_2']), /CONNECTION ESTABLISHED/, `${name} over TLS 1.2`);
  };

  /** An mtls-client certificate of PARTICIPANT_A from the given CA, written as <name>.pem/.key. */
  const enrol = async (name: string, caId: string) => {
    const csr = opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` });
    const row = await t.app.pki.enrolments.issueNow(officer, {
      participantId: PARTICIPANT_A,
      profile: 'mtls-client',
      caId,
      csrPem: csr.csrPem,
    });
    writeFileSync(path.join(dir, `${name}.pem`), row.certificate_pem);
    writeFileSync(path.join(dir, `${name}.key`), csr.keyPem);
    return row.id;
  };

  /** An issuing CA whose key is in the CPM, its CSR signed by the external root with openssl. */
  const issuingUnderRoot = async (name: string, serial: string) => {
    const requested = await t.request({
      method: 'POST',
      url: '/api/v1/pki/cas/requests',
      as: 'security-officer',
      payload: {
        name,
        parentId: rootId,
        keyType: 'ec-p256',
        commonName: `Ext Issuing ${name}`,
        organization: 'Scheme',
      },
    });
    assert.equal(requested.statusCode, 201, requested.body);
    writeFileSync(path.join(dir, `${name}.csr`), requested.json().csrPem);
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'external.pem',
      '-CAkey',
      'external.key',
      '-set_serial',
      serial,
      '-days',
      '365',
      '-extfile',
      'ca.ext',
      '-out',
      `${name}-ca.pem`,
    );
    const completed = await t.request({
      method: 'POST',
      url: `/api/v1/pki/cas/requests/${requested.json().id}/certificate`,
      as: 'security-officer',
      payload: { certificatePem: file(`${name}-ca.pem`) },
    });
    assert.equal(completed.statusCode, 201, completed.body);
    return completed.json().id as string;
  };

  before(async () => {
    t = await startPkiServer(engine);
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-mtls-external-'));
    const stream = new PassThrough();
    stream.on('data', (d) => (log += d));
    mtls = await startMtlsListener(t.app, createLogger('warn', stream), '127.0.0.1', await freePort());
    writeFileSync(path.join(dir, 'hub-root.pem'), (await t.app.pki.cas.get(t.rootId)).certificate_pem);
    writeFileSync(path.join(dir, 'ca.cnf'), CA_CONFIG);
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(path.join(dir, 'crlnumber'), '1000\n');
    writeFileSync(
      path.join(dir, 'ca.ext'),
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
    await enrol('hub-client', t.issuingId);
  });
  after(async () => {
    await mtls.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not trust an issuing CA under the external root until a CRL of the root is imported', async () => {
    for (const [name, subject] of [
      ['external', '/O=Scheme/CN=Scheme External Root'],
      ['stranger', '/O=Scheme/CN=Scheme External Root'],
    ])
      opensslSelfSigned(dir, name!, subject!);
    const imported = await t.request({
      method: 'POST',
      url: '/api/v1/pki/cas/import',
      as: 'security-officer',
      payload: { name: 'external-root', certificatePem: file('external.pem') },
    });
    assert.equal(imported.statusCode, 201, imported.body);
    rootId = imported.json().id;
    cas.a = await issuingUnderRoot('issuing-a', '0x51c0ffee01');
    cas.b = await issuingUnderRoot('issuing-b', '0x51c0ffee02');
    await enrol('client-a', cas.a);
    await enrol('client-b', cas.b);
    await mtls.settled();

    await refused('client-a');
    const trust = await t.app.pki.trustMaterial(officer);
    assert.deepEqual(trust.excluded.map((e) => e.caId).sort(), [cas.a, cas.b].sort());
    assert.match(trust.excluded[0]!.reason, new RegExp(`no CRL imported from external CA '${rootId}'`));
    assert.match(log, new RegExp(`mTLS listener refuses client certificates of CA ${cas.a}: no CRL imported`));
    await accepted('hub-client');

    // The upkeep announces the missing CRL once, however often it runs.
    assert.equal((await t.app.pki.maintain()).externalCrls, 1);
    assert.equal((await t.app.pki.maintain()).externalCrls, 0);
    const [missing] = await crlNotices();
    assert.equal(missing?.severity, 'critical');
    assert.match(missing!.subject, /no CRL of external CA external-root is imported/);
  });

  it('refuses a CRL that is not the current CRL signed by that external CA, and audits the refusal', async () => {
    const garbage = await importCrl(rootId, Buffer.from('not a crl at all').toString('base64'));
    assert.equal(garbage.statusCode, 400, garbage.body);
    assert.equal(garbage.json().code, 'ERR_CRL_INVALID');
    const notBase64 = await importCrl(rootId, 'äöü');
    assert.equal(notBase64.json().code, 'ERR_CRL_INVALID');

    // Same issuer name, another key: the signature does not verify.
    writeFileSync(
      path.join(dir, 'stranger.cnf'),
      CA_CONFIG.replace(/external\./g, 'stranger.').replace(/= (index\.txt|crlnumber)/g, '= stranger-$1'),
    );
    writeFileSync(path.join(dir, 'stranger-index.txt'), '');
    writeFileSync(path.join(dir, 'stranger-crlnumber'), '01\n');
    await openssl('ca', '-config', 'stranger.cnf', '-gencrl', '-crldays', '1', '-out', 'stranger.crl');
    const forged = await importCrl(rootId, file('stranger.crl'));
    assert.equal(forged.statusCode, 400, forged.body);
    assert.equal(forged.json().code, 'ERR_CRL_INVALID');
    assert.match(forged.json().detail, /not signed by CA/);

    await gencrl('expired.crl', '-crlsec', '1');
    await sleep(1100);
    const expired = await importCrl(rootId, file('expired.crl'));
    assert.equal(expired.json().code, 'ERR_CRL_INVALID');
    assert.match(expired.json().detail, /expired/);

    const own = await importCrl(t.rootId, file('expired.crl'));
    assert.equal(own.statusCode, 409, 'a CA held here issues its own CRLs');
    const missing = await importCrl('pca_aaaaaaaaaaaaaaaa', file('expired.crl'));
    assert.equal(missing.statusCode, 404);

    const denied = await t.app.database.db
      .selectFrom('audit_events')
      .select(['error_code', 'resource_id'])
      .where('action', '=', 'pki.crl.import')
      .where('outcome', '=', 'denied')
      .execute();
    assert.equal(denied.filter((e) => e.resource_id === rootId && e.error_code === 'ERR_CRL_INVALID').length, 4);
    assert.equal((await t.app.pki.cas.get(rootId)).crl_number, 0, 'nothing stored');
    await refused('client-a');
  });

  it('accepts client certificates of the issuing CA once the root CRL is imported (CLI, DER), mapped to the participant', async () => {
    await gencrl('root-1.crl', '-crldays', '1');
    await openssl('crl', '-in', 'root-1.crl', '-outform', 'DER', '-out', 'root-1.der');
    const { stdout } = await run(
      process.execPath,
      ['bin/trustloop.mjs', 'pki', 'ca', 'crl-import', rootId, '--crl', path.join(dir, 'root-1.der')],
      { env: { ...process.env, TRUSTLOOP_URL: t.baseUrl, TRUSTLOOP_TOKEN: t.tokens['security-officer'] } },
    );
    // crlnumber started at 1000 (hex); the expired CRL above took that number.
    assert.match(stdout, new RegExp(`imported CRL number 4097 of ${rootId}`));
    await mtls.settled();

    const out = await accepted('client-a');
    const owners = [...out.matchAll(/"participantId":"([^"]+)"/g)].map((m) => m[1]);
    assert.ok(owners.length > 0 && owners.every((p) => p === PARTICIPANT_A), "scoped to the certificate's participant");
    await accepted('client-b');
    await accepted('hub-client');
    assert.deepEqual((await t.app.pki.trustMaterial(officer)).excluded, []);

    const replay = await importCrl(rootId, file('root-1.crl'));
    assert.equal(replay.statusCode, 409);
    assert.equal(replay.json().code, 'ERR_CRL_NOT_NEWER');
    const stored = await t.request({ method: 'GET', url: `/api/v1/pki/cas/${rootId}/crl`, as: 'auditor' });
    assert.equal(stored.json().crlNumber, 4097);
    const audited = await t.app.database.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'pki.crl.import')
      .where('outcome', '=', 'success')
      .executeTakeFirstOrThrow();
    assert.equal(JSON.parse(audited.details).crlNumber, 4097);

    // A one-day CRL is within three days of its nextUpdate: announced once, as a warning.
    assert.equal((await t.app.pki.maintain()).externalCrls, 1);
    assert.equal((await t.app.pki.maintain()).externalCrls, 0);
    const notices = await crlNotices();
    assert.equal(notices.length, 2);
    assert.equal(notices[0]!.severity, 'warning');
    assert.match(notices[0]!.subject, /the CRL of external CA external-root \(number 4097\) expires at /);
  });

  it('refuses a revoked client certificate and one from a foreign CA', async () => {
    const id = await enrol('client-a2', cas.a);
    await accepted('client-a2');
    const revoked = await revokeOverApi(t, 'certificates', id, 'keyCompromise');
    assert.equal(revoked.statusCode, 200, revoked.body);
    await mtls.settled();
    await refused('client-a2');
    await accepted('client-a');

    // A leaf signed directly by the external root: not an issued certificate of this hub.
    opensslSelfSigned(dir, 'foreign', `/CN=${PARTICIPANT_A}`, { days: 2, ca: false });
    await refused('foreign');
  });

  it('refuses everything under the root once its imported CRL passes nextUpdate', async () => {
    await gencrl('short.crl', '-crlsec', '4');
    const imported = await importCrl(rootId, file('short.crl'));
    assert.equal(imported.statusCode, 201, imported.body);
    await mtls.settled();
    await accepted('client-a');
    const nextUpdate = Date.parse(imported.json().nextUpdate);
    // The listener rebuilds its trust a second after nextUpdate.
    await sleep(Math.max(0, nextUpdate - Date.now()) + 1500);
    await mtls.settled();
    await refused('client-a');
    assert.match(
      log,
      new RegExp(`refuses client certificates of CA ${cas.a}: the CRL of external CA '${rootId}' expired`),
    );
    await accepted('hub-client');
  });

  it("refuses an issuing CA's certificates once the root's CRL revokes it or puts it on hold", async () => {
    await openssl('ca', '-config', 'ca.cnf', '-revoke', 'issuing-a-ca.pem', '-crl_reason', 'keyCompromise');
    await openssl('ca', '-config', 'ca.cnf', '-revoke', 'issuing-b-ca.pem', '-crl_hold', 'holdInstructionReject');
    await gencrl('root-3.crl', '-crldays', '1');
    const imported = await importCrl(rootId, file('root-3.crl'));
    assert.equal(imported.statusCode, 201, imported.body);
    await mtls.settled();

    const a = await t.app.pki.cas.get(cas.a);
    assert.equal(a.status, 'retired');
    assert.equal(a.revocation_reason, 'keyCompromise');
    // On hold the CA stays active here; the root's CRL refuses its chain at the handshake.
    assert.equal((await t.app.pki.cas.get(cas.b)).status, 'active');
    assert.ok((await t.app.pki.trustMaterial(officer)).ca.includes((await t.app.pki.cas.get(cas.b)).certificate_pem));
    await refused('client-a');
    await refused('client-b');
    await accepted('hub-client');
    const event = await t.app.database.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'pki.ca.revoke')
      .where('resource_id', '=', cas.a)
      .executeTakeFirstOrThrow();
    assert.equal(JSON.parse(event.details).reason, 'keyCompromise');
  });
});
