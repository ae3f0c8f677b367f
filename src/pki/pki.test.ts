import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { forEachEngine, type TestApp } from '../../test/support/engines.js';
import { corruptSignature, opensslCsr, opensslSelfSigned } from '../../test/support/pki.js';
import { officer } from '../../test/support/pki-server.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer, type TestServer } from '../../test/support/server.js';
import type { Role } from '../iam/permissions.js';

type As = Role | 'other-participant' | 'none';

forEachEngine('PKI enrolment, revocation and bad input', (engine) => {
  let t: TestServer;
  let rootId: string;
  let issuingId: string;

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, as: As = 'security-officer') =>
    t.request({ method, url, as, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
  const countStored = async () => {
    const certs = (await call('GET', '/api/v1/pki/certificates?limit=500')).json().total as number;
    const enrolments = (await call('GET', '/api/v1/pki/enrolments?limit=500')).json().total as number;
    return { certs, enrolments };
  };
  const lastEvent = async (action: string) => (await t.app.audit.list({ limit: 1, action } as never))[0]!;

  before(async () => {
    t = await startTestServer(engine);
    const root = await call('POST', '/api/v1/pki/cas', {
      name: 'root',
      role: 'root',
      keyType: 'ec-p384',
      commonName: 'Test Root',
      organization: 'Scheme',
    });
    assert.equal(root.statusCode, 201, root.body);
    rootId = root.json().id;
    const issuing = await call('POST', '/api/v1/pki/cas', {
      name: 'issuing',
      role: 'issuing',
      parentId: rootId,
      keyType: 'ec-p256',
      commonName: 'Test Issuing',
      organization: 'Scheme',
    });
    assert.equal(issuing.statusCode, 201, issuing.body);
    issuingId = issuing.json().id;
  });
  after(() => t.close());

  it('keeps CA keys in the CPM under a policy only the PKI service may sign with', async () => {
    const ca = (await call('GET', `/api/v1/pki/cas/${rootId}`)).json();
    assert.equal(ca.source, 'cpm');
    const key = (await call('GET', `/api/v1/keys/${ca.keyId}`)).json();
    assert.deepEqual(key.key.policy.roles, ['pki-service']);
    const misuse = await call('POST', `/api/v1/keys/${ca.keyId}/sign`, { input: Buffer.from('x').toString('base64') });
    assert.equal(misuse.json().code, 'ERR_KEY_POLICY', 'an officer cannot sign arbitrary data with a CA key');
    const roots = (
      await call('POST', '/api/v1/pki/certificates', {
        participantId: PARTICIPANT_A,
        profile: 'mtls-client',
        caId: rootId,
        csrPem: opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` }).csrPem,
      })
    ).json();
    assert.equal(roots.code, 'ERR_VALIDATION', 'a root signs only CAs');
  });

  it('enrols: validate, submit, approve; returns the certificate and chain', async () => {
    const csr = opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}`, dns: ['api.dfsp-a.scheme.local'] });
    const report = (
      await call(
        'POST',
        '/api/v1/pki/enrolments/validate',
        { profile: 'mtls-server', csrPem: csr.csrPem },
        'participant',
      )
    ).json();
    assert.equal(report.valid, true);
    assert.deepEqual(
      report.checks.map((c: { status: string }) => c.status),
      ['VALID', 'VALID', 'VALID', 'VALID', 'VALID', 'VALID', 'VALID', 'NOT_AVAILABLE', 'VALID'],
    );
    const submitted = await call(
      'POST',
      '/api/v1/pki/enrolments',
      { profile: 'mtls-server', csrPem: csr.csrPem },
      'participant',
    );
    assert.equal(submitted.statusCode, 201, submitted.body);
    const id = submitted.json().id;
    assert.equal(
      (await call('POST', `/api/v1/pki/enrolments/${id}/approve`, undefined, 'participant')).statusCode,
      403,
    );
    const approved = await call('POST', `/api/v1/pki/enrolments/${id}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    const { certificate, certificatePem, chainPem } = approved.json().certificate;
    assert.match(certificatePem, /BEGIN CERTIFICATE/);
    assert.equal(chainPem.length, 2);
    assert.equal(certificate.participantId, PARTICIPANT_A);
    const event = await lastEvent('pki.certificate.issue');
    assert.equal(event.details.serial, certificate.serial);
    assert.equal(event.details.fingerprintSha256, certificate.fingerprintSha256);
    const again = await call('POST', `/api/v1/pki/enrolments/${id}/approve`);
    assert.equal(again.json().code, 'ERR_ENROLMENT_DECIDED');
  });

  const badCases: [string, () => Record<string, unknown>, number, string][] = [
    [
      'malformed PEM',
      () => ({
        profile: 'mtls-client',
        csrPem: '-----BEGIN CERTIFICATE REQUEST-----\n!!!\n-----END CERTIFICATE REQUEST-----',
      }),
      400,
      'ERR_PEM_MALFORMED',
    ],
    [
      'a certificate instead of a CSR',
      () => ({ profile: 'mtls-client', csrPem: '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n' }),
      400,
      'ERR_PEM_MALFORMED',
    ],
    [
      'a bad CSR signature',
      () => ({
        profile: 'mtls-client',
        csrPem: corruptSignature(opensslCsr({ key: 'p256', subject: `/O=A/CN=${PARTICIPANT_A}` }).csrPem),
      }),
      400,
      'ERR_CSR_SIGNATURE',
    ],
    [
      'RSA-1024',
      () => ({
        profile: 'mtls-client',
        csrPem: opensslCsr({ key: 'rsa1024', subject: `/O=A/CN=${PARTICIPANT_A}` }).csrPem,
      }),
      400,
      'ERR_KEY_TOO_WEAK',
    ],
    [
      'RSA-2048 without scheme policy',
      () => ({
        profile: 'mtls-client',
        csrPem: opensslCsr({ key: 'rsa2048', subject: `/O=A/CN=${PARTICIPANT_A}` }).csrPem,
      }),
      400,
      'ERR_KEY_TOO_WEAK',
    ],
    [
      'a wrong curve (secp256k1)',
      () => ({
        profile: 'mtls-client',
        csrPem: opensslCsr({ key: 'secp256k1', subject: `/O=A/CN=${PARTICIPANT_A}` }).csrPem,
      }),
      400,
      'ERR_KEY_UNSUPPORTED',
    ],
    [
      "another participant's SAN",
      () => ({
        profile: 'mtls-server',
        csrPem: opensslCsr({ key: 'p256', subject: `/O=A/CN=${PARTICIPANT_A}`, dns: ['api.dfsp-b.scheme.local'] })
          .csrPem,
      }),
      400,
      'ERR_NAME_NOT_ALLOWED',
    ],
    [
      "another participant's CN",
      () => ({
        profile: 'jws-signing',
        csrPem: opensslCsr({ key: 'p256', subject: `/O=A/CN=${PARTICIPANT_B}` }).csrPem,
      }),
      400,
      'ERR_NAME_NOT_ALLOWED',
    ],
    [
      'an oversized CSR',
      () => ({
        profile: 'mtls-client',
        csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE REQUEST-----\n`,
      }),
      413,
      'ERR_CSR_TOO_LARGE',
    ],
    [
      'an unknown profile',
      () => ({
        profile: 'code-signing',
        csrPem: opensslCsr({ key: 'p256', subject: `/O=A/CN=${PARTICIPANT_A}` }).csrPem,
      }),
      400,
      'ERR_PROFILE_UNKNOWN',
    ],
    [
      'a hub-only profile',
      () => ({
        profile: 'ocsp-signing',
        csrPem: opensslCsr({ key: 'p256', subject: `/O=A/CN=${PARTICIPANT_A}` }).csrPem,
      }),
      400,
      'ERR_PROFILE_UNKNOWN',
    ],
    [
      'another participant as target',
      () => ({
        participantId: PARTICIPANT_B,
        profile: 'mtls-client',
        csrPem: opensslCsr({ key: 'p256', subject: `/O=A/CN=${PARTICIPANT_B}` }).csrPem,
      }),
      403,
      'ERR_FORBIDDEN',
    ],
  ];
  for (const [name, body, status, code] of badCases) {
    it(`refuses ${name}: ${status} ${code}, audited, nothing stored`, async () => {
      const before = await countStored();
      const response = await call('POST', '/api/v1/pki/enrolments', body(), 'participant');
      assert.equal(response.statusCode, status, response.body);
      assert.equal(response.json().code, code);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.deepEqual(await countStored(), before);
      const event = await lastEvent('pki.enrolment.submit');
      assert.deepEqual([event.outcome, event.errorCode], ['denied', code]);
    });
  }

  it('refuses a key that is already certified', async () => {
    const csr = opensslCsr({ key: 'p256', subject: `/O=A/CN=${PARTICIPANT_A}` });
    assert.equal(
      (
        await call('POST', '/api/v1/pki/certificates', {
          participantId: PARTICIPANT_A,
          profile: 'jws-signing',
          csrPem: csr.csrPem,
        })
      ).statusCode,
      201,
    );
    const reuse = await call(
      'POST',
      '/api/v1/pki/enrolments',
      { profile: 'mtls-client', csrPem: csr.csrPem },
      'participant',
    );
    assert.equal(reuse.json().code, 'ERR_KEY_REUSED');
  });

  it("revokes with a reason; double revocation and another participant's certificate are refused and audited", async () => {
    const issued = await call('POST', '/api/v1/pki/certificates', {
      participantId: PARTICIPANT_A,
      profile: 'mtls-client',
      csrPem: opensslCsr({ key: 'p384', subject: `/O=A/CN=${PARTICIPANT_A}` }).csrPem,
    });
    const id = issued.json().certificate.id;
    const foreign = await call(
      'POST',
      `/api/v1/pki/certificates/${id}/revoke`,
      { reason: 'keyCompromise' },
      'other-participant',
    );
    assert.equal(foreign.statusCode, 404);
    assert.equal((await lastEvent('pki.certificate.revoke')).errorCode, 'ERR_NOT_FOUND');
    const hubReason = await call(
      'POST',
      `/api/v1/pki/certificates/${id}/revoke`,
      { reason: 'cACompromise' },
      'participant',
    );
    assert.equal(hubReason.json().code, 'ERR_FORBIDDEN');
    const crlBefore = (await call('GET', `/api/v1/pki/cas/${issuingId}/crl`)).json().crlNumber;
    const ok = await call('POST', `/api/v1/pki/certificates/${id}/revoke`, { reason: 'keyCompromise' }, 'participant');
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().certificate.revocationReason, 'keyCompromise');
    const event = await lastEvent('pki.certificate.revoke');
    assert.deepEqual(
      [event.outcome, event.details.serial, event.details.reason],
      ['success', ok.json().certificate.serial, 'keyCompromise'],
    );
    assert.equal(
      (await call('GET', `/api/v1/pki/cas/${issuingId}/crl`)).json().crlNumber,
      crlBefore + 1,
      'CRL reissued',
    );
    const twice = await call(
      'POST',
      `/api/v1/pki/certificates/${id}/revoke`,
      { reason: 'keyCompromise' },
      'participant',
    );
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().code, 'ERR_ALREADY_REVOKED');
    assert.equal((await lastEvent('pki.certificate.revoke')).errorCode, 'ERR_ALREADY_REVOKED');
  });

  it('scopes participants to their own certificates and enrolments', async () => {
    const mine = (await call('GET', '/api/v1/pki/certificates', undefined, 'participant')).json();
    assert.ok(mine.items.every((c: { participantId: string }) => c.participantId === PARTICIPANT_A));
    const theirs = (await call('GET', '/api/v1/pki/certificates', undefined, 'other-participant')).json();
    assert.equal(theirs.total, 0);
    const any = mine.items[0].id;
    assert.equal(
      (await call('GET', `/api/v1/pki/certificates/${any}`, undefined, 'other-participant')).statusCode,
      404,
    );
  });

  it('issues hub certificates with CPM keys and renews them with overlap', async () => {
    const first = await call('POST', '/api/v1/pki/certificates/hub', { profile: 'jws-signing', keyType: 'ec-p256' });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().certificate.keySource, 'cpm');
    const renewed = await call('POST', '/api/v1/pki/certificates/hub', {
      profile: 'jws-signing',
      keyType: 'ec-p256',
      renewsCertificateId: first.json().certificate.id,
    });
    assert.equal(renewed.json().certificate.renewsId, first.json().certificate.id);
    assert.notEqual(renewed.json().certificate.keyId, first.json().certificate.keyId, 'a new key');
    const old = (await call('GET', `/api/v1/pki/certificates/${first.json().certificate.id}`)).json();
    assert.equal(old.certificate.status, 'valid', 'the old one stays valid until it expires');
    const foreignName = await call('POST', '/api/v1/pki/certificates/hub', {
      profile: 'mtls-server',
      keyType: 'ec-p256',
      dnsNames: ['api.dfsp-a.scheme.local'],
    });
    assert.equal(foreignName.json().code, 'ERR_NAME_NOT_ALLOWED');
  });

  it('watches expiry per participant and profile and announces it once', async () => {
    const report = (await call('GET', '/api/v1/pki/certificates/expiring?withinDays=3650')).json();
    assert.ok(report.groups.some((g: { participantId: string }) => g.participantId === PARTICIPANT_A));
    assert.equal((await call('GET', '/api/v1/pki/certificates/expiring?withinDays=1')).json().certificates.length, 0);
    assert.equal((await t.app.pki.maintain(officer)).expiring, 0, 'nothing expires within 30 days yet');
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const target = report.certificates.find((c: { participantId: string }) => c.participantId === PARTICIPANT_A);
    await (t.app as TestApp).rawSql(`update pki_certificates set not_after = '${soon}' where id = '${target.id}'`);
    assert.equal((await t.app.pki.maintain(officer)).expiring, 1);
    assert.equal((await t.app.pki.maintain(officer)).expiring, 0, 'announced once');
    const event = await lastEvent('pki.certificate.expiring');
    assert.deepEqual([event.resource.id, event.participantId], [target.id, PARTICIPANT_A]);
  });

  it('dual control: under two approvals the same officer cannot approve twice', async () => {
    const dual = await startTestServer(engine, { pkiApprovals: 2 });
    try {
      const root = await dual.app.pki.createCa(officer, {
        name: 'r',
        role: 'root',
        keyType: 'ec-p256',
        commonName: 'R',
      });
      await dual.app.pki.createCa(officer, {
        name: 'i',
        role: 'issuing',
        parentId: root.id,
        keyType: 'ec-p256',
        commonName: 'I',
      });
      const csr = opensslCsr({ key: 'p256', subject: `/O=A/CN=${PARTICIPANT_A}` });
      const id = (
        await dual.request({
          method: 'POST',
          url: '/api/v1/pki/enrolments',
          as: 'participant',
          payload: { profile: 'jws-signing', csrPem: csr.csrPem },
        })
      ).json().id;
      const direct = await dual.request({
        method: 'POST',
        url: '/api/v1/pki/certificates',
        as: 'security-officer',
        payload: { participantId: PARTICIPANT_A, profile: 'jws-signing', csrPem: csr.csrPem },
      });
      assert.equal(direct.json().code, 'ERR_DUAL_CONTROL');
      const one = await dual.request({
        method: 'POST',
        url: `/api/v1/pki/enrolments/${id}/approve`,
        as: 'security-officer',
      });
      assert.deepEqual([one.json().enrolment.status, one.json().certificate], ['pending', null]);
      const same = await dual.request({
        method: 'POST',
        url: `/api/v1/pki/enrolments/${id}/approve`,
        as: 'security-officer',
      });
      assert.equal(same.json().code, 'ERR_DUAL_CONTROL');
      const second = await dual.request({ method: 'POST', url: `/api/v1/pki/enrolments/${id}/approve`, as: 'admin' });
      assert.equal(second.json().enrolment.status, 'issued');
      assert.ok(second.json().certificate.certificatePem);
    } finally {
      await dual.close();
    }
  });

  it('rejects an enrolment with a reason', async () => {
    const csr = opensslCsr({ key: 'p256', subject: `/O=A/CN=${PARTICIPANT_A}` });
    const id = (
      await call('POST', '/api/v1/pki/enrolments', { profile: 'jws-signing', csrPem: csr.csrPem }, 'participant')
    ).json().id;
    const rejected = await call('POST', `/api/v1/pki/enrolments/${id}/reject`, { reason: 'not expected' });
    assert.deepEqual([rejected.json().status, rejected.json().reason], ['rejected', 'not expected']);
  });

  it("validates a participant's own CA chain and refuses a broken one", async () => {
    const chain =
      (await call('GET', `/api/v1/pki/cas/${issuingId}`)).json().certificatePem +
      (await call('GET', `/api/v1/pki/cas/${rootId}`)).json().certificatePem;
    const ok = await call('POST', '/api/v1/pki/chains', { chainPem: chain }, 'participant');
    assert.equal(ok.statusCode, 201, ok.body);
    assert.ok(ok.json().checks.every((c: { status: string }) => c.status !== 'INVALID'));
    const reversed =
      (await call('GET', `/api/v1/pki/cas/${rootId}`)).json().certificatePem +
      (await call('GET', `/api/v1/pki/cas/${issuingId}`)).json().certificatePem;
    const bad = await call('POST', '/api/v1/pki/chains', { chainPem: reversed }, 'participant');
    assert.equal(bad.json().code, 'ERR_CHAIN_INVALID');
    assert.equal((await lastEvent('pki.chain.upload')).outcome, 'denied');
  });

  it('imports an external root as a trust anchor whose key cannot sign here', async () => {
    const pem = (await call('GET', `/api/v1/pki/cas/${rootId}`)).json().certificatePem;
    const dup = await call('POST', '/api/v1/pki/cas/import', { name: 'dup', certificatePem: pem });
    assert.equal(dup.json().code, 'ERR_CONFLICT', 'the same certificate twice');
    const dir = mkdtempSync(path.join(tmpdir(), 'trustloop-legacy-root-'));
    const external = opensslSelfSigned(dir, 'legacy', '/O=Legacy/CN=Legacy Root', { days: 30 });
    rmSync(dir, { recursive: true, force: true });
    const imported = await call('POST', '/api/v1/pki/cas/import', { name: 'legacy-root', certificatePem: external });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.deepEqual([imported.json().source, imported.json().role, imported.json().keyId], ['external', 'root', null]);
    const child = await call('POST', '/api/v1/pki/cas', {
      name: 'under-legacy',
      role: 'issuing',
      parentId: imported.json().id,
      keyType: 'ec-p256',
      commonName: 'X',
    });
    assert.equal(child.json().code, 'ERR_CA_UNUSABLE');
  });
});
