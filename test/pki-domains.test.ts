import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, it } from 'node:test';
import { forEachEngine } from './support/engines.js';
import { opensslCsr } from './support/pki.js';
import { officer } from './support/pki-server.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer, type TestServer } from './support/server.js';
import type { Role } from '../src/iam/permissions.js';

forEachEngine('PKI per-participant domain registry', (engine) => {
  let t: TestServer;
  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    as: Role | 'other-participant',
    payload?: Record<string, unknown>,
  ) => t.request({ method, url, as, ...(payload ? { payload } : {}) });
  const serverCsr = (dns: string[], cn = dns[0]!) =>
    opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${cn}`, dns }).csrPem;
  const validate = async (csrPem: string, as: Role | 'other-participant' = 'participant') =>
    (await call('POST', '/api/v1/pki/enrolments/validate', as, { profile: 'mtls-server', csrPem })).json();
  const sanCheck = (report: { checks: { id: string; status: string; message: string }[] }) =>
    report.checks.find((c) => c.id === 'CSR_SUBJECT_ALT_NAMES')!;
  const domainsOfA = `/api/v1/pki/participants/${PARTICIPANT_A}/domains`;

  before(async () => {
    t = await startTestServer(engine);
    const root = await t.app.pki.createCa(officer, { name: 'root', role: 'root', keyType: 'ec-p256', commonName: 'R' });
    await t.app.pki.createCa(officer, {
      name: 'issuing',
      role: 'issuing',
      parentId: root.id,
      keyType: 'ec-p256',
      commonName: 'I',
    });
  });
  after(() => t.close());

  it("checks certificate names against the participant's registered domains", async () => {
    const csrPem = serverCsr(['api.bank-a.example']);
    const before = sanCheck(await validate(csrPem));
    assert.equal(before.status, 'INVALID');
    assert.match(before.message, /not under dfsp-a\./);

    const byParticipant = await call('POST', domainsOfA, 'participant', { domain: 'bank-a.example' });
    assert.equal(byParticipant.statusCode, 403, 'a participant cannot register its own domains');
    const registered = await call('POST', domainsOfA, 'security-officer', { domain: 'bank-a.example' });
    assert.equal(registered.statusCode, 201, registered.body);
    assert.equal(registered.json().domain, 'bank-a.example');
    const event = (await t.app.audit.list({ action: 'pki.domain.register', limit: 1 } as never))[0]!;
    assert.equal(event.participantId, PARTICIPANT_A);
    assert.equal((event.details as { domain: string }).domain, 'bank-a.example');

    const after = await validate(csrPem);
    assert.equal(sanCheck(after).status, 'VALID');
    assert.equal(after.checks.find((c: { id: string }) => c.id === 'CSR_COMMON_NAME').status, 'VALID');
    const issued = await t.app.pki.enrolments.issueNow(officer, {
      participantId: PARTICIPANT_A,
      profile: 'mtls-server',
      csrPem,
    });
    assert.match(new X509Certificate(issued.certificate_pem).subjectAltName!, /DNS:api\.bank-a\.example/);

    // Another participant can neither use nor claim it, nor anything overlapping it.
    const foreign = await validate(serverCsr(['pay.bank-a.example']), 'other-participant');
    assert.equal(sanCheck(foreign).status, 'INVALID');
    for (const domain of ['bank-a.example', 'api.bank-a.example', 'example'])
      assert.equal(
        (
          await call('POST', `/api/v1/pki/participants/${PARTICIPANT_B}/domains`, 'security-officer', {
            domain,
          })
        ).statusCode,
        domain === 'example' ? 400 : 409,
        domain,
      );
    for (const domain of ['*.bank-b.example', `x.${t.app.config.pkiDnsDomain}`])
      assert.equal(
        (await call('POST', `/api/v1/pki/participants/${PARTICIPANT_B}/domains`, 'security-officer', { domain }))
          .statusCode,
        400,
        domain,
      );
    assert.equal(
      (await call('POST', '/api/v1/pki/participants/nobody/domains', 'security-officer', { domain: 'n.example' }))
        .statusCode,
      404,
    );

    const listed = await call('GET', domainsOfA, 'participant');
    assert.deepEqual(
      listed.json().items.map((d: { domain: string }) => d.domain),
      ['bank-a.example'],
    );
    assert.equal((await call('GET', domainsOfA, 'other-participant')).statusCode, 404);

    const removed = await call('DELETE', `${domainsOfA}/bank-a.example`, 'security-officer');
    assert.equal(removed.statusCode, 204, removed.body);
    assert.equal((await call('DELETE', `${domainsOfA}/bank-a.example`, 'security-officer')).statusCode, 404);
    assert.equal(sanCheck(await validate(serverCsr(['www.bank-a.example']))).status, 'INVALID');
    assert.equal((await t.app.audit.list({ action: 'pki.domain.remove', limit: 1 } as never)).length, 1);
  });
});
