import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ocspQueryArgs, opensslCsr } from './support/pki.js';
import {
  officer,
  startPkiServer,
  type PkiTestServer,
  revokeOverApi,
  saveCaCertificates,
} from './support/pki-server.js';

const run = promisify(execFile);

/** openssl exits 0 for some failures and non-zero for others: keep both streams and the code. */
async function openssl(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('openssl', args, { cwd });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('PKI interop with the openssl CLI', () => {
  let t: PkiTestServer;
  let dir: string;
  const issue = async (dns: string[] = []) => {
    const csr = opensslCsr({ key: 'p256', subject: '/O=Bank A/CN=dfsp-a', dns });
    const submitted = await t.request({
      method: 'POST',
      url: '/api/v1/pki/enrolments',
      as: 'participant',
      payload: { profile: 'mtls-client', csrPem: csr.csrPem },
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const approved = await t.request({
      method: 'POST',
      url: `/api/v1/pki/enrolments/${submitted.json().id}/approve`,
      as: 'security-officer',
    });
    assert.equal(approved.statusCode, 200, approved.body);
    return approved.json().certificate;
  };

  before(async () => {
    t = await startPkiServer('sqlite');
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-openssl-'));
    await saveCaCertificates(t, dir);
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function saveCrls(): Promise<void> {
    for (const [id, file] of [
      [t.issuingId, 'issuing.crl'],
      [t.rootId, 'root.crl'],
    ] as const) {
      const response = await fetch(`${t.baseUrl}/pki/crl/${id}.crl`);
      assert.equal(response.headers.get('content-type'), 'application/pkix-crl');
      writeFileSync(path.join(dir, file), Buffer.from(await response.arrayBuffer()));
    }
  }

  it('serves DER CRLs that openssl verifies against their CA', async () => {
    await saveCrls();
    const issuing = await openssl(
      ['crl', '-inform', 'DER', '-in', 'issuing.crl', '-CAfile', 'issuing.pem', '-noout', '-verify'],
      dir,
    );
    assert.match(issuing.out, /verify OK/);
    const root = await openssl(
      ['crl', '-inform', 'DER', '-in', 'root.crl', '-CAfile', 'root.pem', '-noout', '-verify'],
      dir,
    );
    assert.match(root.out, /verify OK/);
  });

  it('openssl verify -crl_check accepts a valid certificate and refuses it once revoked', async () => {
    const cert = await issue(['api.dfsp-a.scheme.local']);
    writeFileSync(path.join(dir, 'leaf.pem'), cert.certificatePem);
    writeFileSync(path.join(dir, 'chain.pem'), `${cert.chainPem[1]}${cert.chainPem[0]}`);
    await saveCrls();
    const crlArgs = ['-crl_check_all', '-CRLfile', 'issuing.crl', '-CRLfile', 'root.crl'];
    const good = await openssl(
      ['verify', ...crlArgs, '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', 'leaf.pem'],
      dir,
    );
    assert.equal(good.code, 0, good.out);
    assert.match(good.out, /leaf.pem: OK/);

    const revoked = await revokeOverApi(t, 'certificates', cert.certificate.id, 'keyCompromise', 'participant');
    assert.equal(revoked.statusCode, 200, revoked.body);
    await saveCrls();
    const refused = await openssl(
      ['verify', ...crlArgs, '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', 'leaf.pem'],
      dir,
    );
    assert.equal(refused.code, 2);
    assert.match(refused.out, /certificate revoked/);
    const text = await openssl(['crl', '-inform', 'DER', '-in', 'issuing.crl', '-noout', '-text'], dir);
    assert.match(text.out, new RegExp(cert.certificate.serial.toUpperCase()));
    assert.match(text.out, /Key Compromise/);
  });

  it('openssl ocsp -url gets good, revoked with its reason, and unknown, each with the nonce echoed', async () => {
    const good = await issue();
    const bad = await issue();
    writeFileSync(path.join(dir, 'good.pem'), good.certificatePem);
    writeFileSync(path.join(dir, 'bad.pem'), bad.certificatePem);
    await revokeOverApi(t, 'certificates', bad.certificate.id, 'superseded');
    const query = (cert: string) => openssl(ocspQueryArgs(`${t.baseUrl}/pki/ocsp`, [cert]), dir);
    const okAnswer = await query('good.pem');
    assert.match(okAnswer.out, /Response verify OK/);
    assert.match(okAnswer.out, /good.pem: good/);
    assert.match(okAnswer.out, /OCSP Nonce/);
    assert.doesNotMatch(okAnswer.out, /WARNING/);

    const revokedAnswer = await query('bad.pem');
    assert.match(revokedAnswer.out, /Response verify OK/);
    assert.match(revokedAnswer.out, /bad.pem: revoked/);
    assert.match(revokedAnswer.out, /Reason: superseded/);

    const unknown = await openssl(
      [
        'ocsp',
        '-issuer',
        'issuing.pem',
        '-serial',
        '0x0123456789abcdef',
        '-url',
        `${t.baseUrl}/pki/ocsp`,
        '-CAfile',
        'root.pem',
        '-verify_other',
        'issuing.pem',
      ],
      dir,
    );
    assert.match(unknown.out, /Response verify OK/);
    assert.match(unknown.out, /0x0123456789abcdef: unknown/);
  });

  it('answers the GET form and a request without nonce from the pre-signed cache', async () => {
    const cert = await issue();
    // Pre-signing runs in the background after issuance: a request before it ends is signed on the spot.
    await t.app.pki.ocsp.idle();
    writeFileSync(path.join(dir, 'get.pem'), cert.certificatePem);
    await openssl(['ocsp', '-issuer', 'issuing.pem', '-cert', 'get.pem', '-no_nonce', '-reqout', 'get.req'], dir);
    const { readFileSync } = await import('node:fs');
    const request = readFileSync(path.join(dir, 'get.req'));
    const first = await fetch(`${t.baseUrl}/pki/ocsp/${encodeURIComponent(request.toString('base64'))}`);
    assert.equal(first.headers.get('content-type'), 'application/ocsp-response');
    const firstBody = Buffer.from(await first.arrayBuffer());
    writeFileSync(path.join(dir, 'get.resp'), firstBody);
    const parsed = await openssl(
      [
        'ocsp',
        '-respin',
        'get.resp',
        '-issuer',
        'issuing.pem',
        '-cert',
        'get.pem',
        '-CAfile',
        'root.pem',
        '-verify_other',
        'issuing.pem',
        '-no_nonce',
      ],
      dir,
    );
    assert.match(parsed.out, /Response verify OK/);
    assert.match(parsed.out, /get.pem: good/);
    const second = Buffer.from(
      await (
        await fetch(`${t.baseUrl}/pki/ocsp`, {
          method: 'POST',
          headers: { 'content-type': 'application/ocsp-request' },
          body: request,
        })
      ).arrayBuffer(),
    );
    assert.deepEqual(second, firstBody, 'the same signed response is served from the cache');

    const garbage = Buffer.from(
      await (
        await fetch(`${t.baseUrl}/pki/ocsp`, {
          method: 'POST',
          headers: { 'content-type': 'application/ocsp-request' },
          body: Buffer.from('not der'),
        })
      ).arrayBuffer(),
    );
    assert.equal(garbage.toString('hex'), '30030a0101', 'malformedRequest');
  });

  it('issues certificates with the profile extensions, AKI/SKI, CRL DP and AIA OCSP', async () => {
    const cert = await issue(['api.dfsp-a.scheme.local']);
    writeFileSync(path.join(dir, 'ext.pem'), cert.certificatePem);
    const text = (await openssl(['x509', '-in', 'ext.pem', '-noout', '-text'], dir)).out;
    assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
    assert.match(text, /Key Usage: critical\s+Digital Signature/);
    assert.match(text, /TLS Web Client Authentication/);
    assert.match(text, /Subject Key Identifier/);
    assert.match(text, /Authority Key Identifier/);
    assert.match(text, /DNS:api.dfsp-a.scheme.local/);
    assert.match(text, new RegExp(`URI:${t.baseUrl}/pki/crl/${t.issuingId}.crl`));
    assert.match(text, new RegExp(`OCSP - URI:${t.baseUrl}/pki/ocsp`));
    const serial = cert.certificate.serial as string;
    assert.equal(serial.length, 34, '17 octets');
    assert.ok(Number.parseInt(serial.slice(0, 2), 16) < 0x80, 'positive');
    const issuing = (await openssl(['x509', '-in', 'issuing.pem', '-noout', '-text'], dir)).out;
    assert.match(issuing, /Name Constraints: critical\s+Permitted:\s+DNS:scheme.local/);
    assert.match(issuing, /CA:TRUE, pathlen:0/);
  });

  it('name constraints bind verifiers: openssl refuses a name outside the permitted subtree', async () => {
    const narrow = await t.app.pki.createCa(officer, {
      name: 'narrow',
      role: 'issuing',
      parentId: t.rootId,
      keyType: 'ec-p256',
      commonName: 'Narrow Issuing CA',
      permittedDns: ['other.example'],
    });
    const cert = await t.app.pki.issueForHub(officer, {
      profile: 'mtls-server',
      keyType: 'ec-p256',
      dnsNames: ['api.hub.scheme.local'],
      caId: narrow.id,
    });
    writeFileSync(path.join(dir, 'narrow.pem'), (await t.app.pki.cas.get(narrow.id)).certificate_pem);
    writeFileSync(path.join(dir, 'nc.pem'), cert.certificate_pem);
    const refused = await openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'narrow.pem', 'nc.pem'], dir);
    assert.notEqual(refused.code, 0);
    assert.match(refused.out, /permitted subtree violation/);
  });
});
