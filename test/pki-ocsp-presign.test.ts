import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { forEachEngine } from './support/engines.js';
import { opensslCsr } from './support/pki.js';
import { officer, startPkiServer, type PkiTestServer, saveCaCertificates } from './support/pki-server.js';
import { PARTICIPANT_A } from './support/server.js';

const run = promisify(execFile);

forEachEngine('PKI pre-signed OCSP answers', (engine) => {
  let t: PkiTestServer;
  let dir: string;
  const signatures = async () => (await t.app.audit.list({ action: 'key.sign', limit: 10_000 } as never)).length;
  const stored = (serial: string) =>
    t.app.database.db.selectFrom('pki_ocsp_responses').selectAll().where('serial', '=', serial).executeTakeFirst();
  const ask = async (request: Buffer) =>
    Buffer.from(
      await (
        await fetch(`${t.baseUrl}/pki/ocsp`, {
          method: 'POST',
          headers: { 'content-type': 'application/ocsp-request' },
          body: new Uint8Array(request),
        })
      ).arrayBuffer(),
    );
  const readAnswer = async (answer: Buffer) => {
    writeFileSync(path.join(dir, 'answer.der'), answer);
    const { stdout, stderr } = await run(
      'openssl',
      [
        'ocsp',
        '-respin',
        'answer.der',
        '-issuer',
        'issuing.pem',
        '-cert',
        'cert.pem',
        '-CAfile',
        'root.pem',
        '-verify_other',
        'issuing.pem',
        '-no_nonce',
        '-resp_text',
      ],
      { cwd: dir },
    );
    return stdout + stderr;
  };

  before(async () => {
    t = await startPkiServer(engine);
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-ocsp-'));
    await saveCaCertificates(t, dir);
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs the answer after issuance and serves it without signing; re-signs it at revocation', async () => {
    const certificate = await t.app.pki.enrolments.issueNow(officer, {
      participantId: PARTICIPANT_A,
      profile: 'mtls-client',
      csrPem: opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` }).csrPem,
    });
    await t.app.pki.ocsp.idle();
    const presigned = await stored(certificate.serial);
    assert.ok(presigned, 'the answer is stored once the background pre-signing ran');
    assert.equal(presigned.status, 'good');
    const presignEvents = await t.app.audit.list({ action: 'pki.ocsp.presign', limit: 100 } as never);
    assert.ok(presignEvents.some((e) => (e.details as { serials: string[] }).serials.includes(certificate.serial)));

    writeFileSync(path.join(dir, 'cert.pem'), certificate.certificate_pem);
    await run('openssl', ['ocsp', '-issuer', 'issuing.pem', '-cert', 'cert.pem', '-no_nonce', '-reqout', 'q.der'], {
      cwd: dir,
    });
    const request = readFileSync(path.join(dir, 'q.der'));
    const signedBefore = await signatures();
    const answer = await ask(request);
    assert.equal(await signatures(), signedBefore, 'no signature was made to answer');
    assert.deepEqual(answer, Buffer.from(presigned.der, 'base64'), 'the stored answer is served');
    const text = await readAnswer(answer);
    assert.match(text, /Response verify OK/);
    assert.match(text, /cert.pem: good/);

    await t.app.pki.revocation.revoke(officer, certificate.id, 'keyCompromise');
    const revoked = await stored(certificate.serial);
    assert.equal(revoked?.status, 'revoked', 'the revocation re-signed the stored answer');
    const afterRevocation = await signatures();
    const revokedText = await readAnswer(await ask(request));
    assert.equal(await signatures(), afterRevocation, 'served from storage again');
    assert.match(revokedText, /Response verify OK/);
    assert.match(revokedText, /cert.pem: revoked/);
    assert.match(revokedText, /Reason: keyCompromise/);
  });

  it('the upkeep re-signs answers nearing their nextUpdate, and signs missing ones', async () => {
    const certificate = await t.app.pki.enrolments.issueNow(officer, {
      participantId: PARTICIPANT_A,
      profile: 'mtls-client',
      csrPem: opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` }).csrPem,
    });
    await t.app.pki.ocsp.idle();
    const first = (await stored(certificate.serial))!;
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    await t.app.database.transaction((tx) =>
      tx
        .updateTable('pki_ocsp_responses')
        .set({ next_update: soon })
        .where('serial', '=', certificate.serial)
        .execute(),
    );
    const done = await t.app.pki.maintain(officer);
    assert.ok(done.ocsp >= 1, `${done.ocsp} answers re-signed`);
    const second = (await stored(certificate.serial))!;
    assert.ok(second.next_update > first.next_update || second.der !== first.der, 're-signed');
    assert.ok(Date.parse(second.next_update) - Date.now() > 20 * 3_600_000);
    assert.equal((await t.app.pki.maintain(officer)).ocsp, 0, 'nothing left to re-sign');
  });
});
