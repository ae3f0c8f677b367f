import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { systemContext } from '../core/context.js';
import type { Tx } from '../core/db/database.js';
import { forEachEngine } from '../../test/support/engines.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { assembleCertificate, buildTbs, encodeName, randomSerial } from './x509/build.js';
import { X509Offload, nameDer } from './x509/offload.js';
import { markCaRevoked } from './store.js';
import { opensslCsr } from '../../test/support/pki.js';
import { PARTICIPANT_A, startTestServer, type TestServer } from '../../test/support/server.js';

forEachEngine('PKI group-commit issuance', (engine) => {
  let t: TestServer;
  let rootId: string;
  const ctx = systemContext();
  const csrs = (n: number) =>
    Array.from({ length: n }, () => opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` }).csrPem);
  const issueAll = (pems: string[]) =>
    Promise.allSettled(
      pems.map((csrPem) =>
        t.app.pki.enrolments.issueNow(ctx, { participantId: PARTICIPANT_A, profile: 'mtls-client', csrPem }),
      ),
    );
  const stored = async () => (await t.app.pki.listCertificates(ctx, { limit: 1000, offset: 0 })).total;
  const count = async (tx: Tx) =>
    Number(
      (
        await tx
          .selectFrom('pki_certificates')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    t = await startTestServer(engine);
    const root = await t.app.pki.createCa(ctx, {
      name: 'root',
      role: 'root',
      keyType: 'ec-p256',
      commonName: 'Group Root',
    });
    rootId = root.id;
    await t.app.pki.createCa(ctx, {
      name: 'issuing',
      role: 'issuing',
      parentId: root.id,
      keyType: 'ec-p256',
      commonName: 'Group Issuing',
    });
  });
  after(() => t.close());

  it('stores concurrent issuances in shared transactions, each with its own audit event', async () => {
    const before = await stored();
    const transaction = t.app.database.transaction;
    let transactions = 0;
    Object.assign(t.app.database, {
      transaction: <T>(work: (tx: Tx) => Promise<T>) =>
        transaction(async (tx) => {
          const start = await count(tx);
          const result = await work(tx);
          if ((await count(tx)) > start) transactions += 1;
          return result;
        }),
    });
    try {
      const results = await issueAll(csrs(12));
      assert.deepEqual(
        results.map((r) => r.status),
        Array(12).fill('fulfilled'),
      );
      const rows = results.map((r) => (r as PromiseFulfilledResult<{ id: string; serial: string }>).value);
      assert.equal(new Set(rows.map((r) => r.serial)).size, 12);
      assert.equal(await stored(), before + 12);
      // Certificates and their events commit together: fewer transactions than certificates.
      assert.ok(transactions < 12, `${transactions} transactions stored 12 certificates`);
      const events = await t.app.audit.list({ action: 'pki.certificate.issue', limit: 100 } as never);
      for (const row of rows) {
        const event = events.find((e) => e.resource.id === row.id);
        assert.ok(event, `an audit event for ${row.id}`);
        assert.equal((event.details as { serial: string }).serial, row.serial);
      }
      assert.equal((await t.app.audit.verify()).ok, true);
    } finally {
      Object.assign(t.app.database, { transaction });
    }
  });

  it('keeps signing with the key version the CA certificate holds after the key rotates in the CPM', async () => {
    const ca = (await t.app.pki.cas.list()).find((row) => row.name === 'issuing')!;
    await t.app.keys.rotate(ctx, ca.key_id!);
    const [result] = await issueAll(csrs(1));
    assert.equal(result!.status, 'fulfilled', String((result as PromiseRejectedResult).reason));
    const issued = new X509Certificate(
      (result as PromiseFulfilledResult<{ certificate_pem: string }>).value.certificate_pem,
    );
    assert.equal(issued.verify(new X509Certificate(ca.certificate_pem).publicKey), true);
    const crl = await t.app.pki.revocation.publishCrl(ctx, ca.id);
    assert.ok(crl.crl_number > 1, 'the CRL is signed with it too');
  });

  it('refuses to issue under a kept issuing CA once it is revoked, here or by another instance', async () => {
    const issuing = (name: string) =>
      t.app.pki.createCa(ctx, {
        name,
        role: 'issuing',
        parentId: rootId,
        keyType: 'ec-p256',
        commonName: `Kept ${name}`,
      });
    const issueUnder = (caId: string) =>
      t.app.pki.enrolments.issueNow(ctx, {
        participantId: PARTICIPANT_A,
        profile: 'mtls-client',
        csrPem: csrs(1)[0]!,
        caId,
      });
    const denials = async () =>
      (await t.app.audit.list({ action: 'pki.certificate.issue', limit: 1000 } as never)).filter(
        (e) => e.outcome === 'denied' && e.errorCode === 'ERR_CA_UNUSABLE',
      ).length;

    // Another instance revokes the CA: this one still keeps it, and the commit refuses the issuance.
    const elsewhere = await issuing('revoked-elsewhere');
    await issueUnder(elsewhere.id);
    await t.app.database.transaction((tx) =>
      markCaRevoked(tx, elsewhere.id, new Date().toISOString(), 'keyCompromise'),
    );
    const before = await stored();
    const denied = await denials();
    await assert.rejects(issueUnder(elsewhere.id), { code: 'ERR_CA_UNUSABLE', message: /no longer active/ });
    assert.equal(await stored(), before);
    assert.equal(await denials(), denied + 1);
    // The CA was dropped: the next issuance reads it again and is refused before anything is signed.
    await assert.rejects(issueUnder(elsewhere.id), { code: 'ERR_CA_UNUSABLE', message: /is retired/ });

    // Revoked here: dropped at once, so even the first issuance after it is refused before signing.
    const here = await issuing('revoked-here');
    await issueUnder(here.id);
    await t.app.pki.revocation.revokeCa(ctx, here.id, 'superseded');
    const revoked = await stored();
    await assert.rejects(issueUnder(here.id), { code: 'ERR_CA_UNUSABLE', message: /is retired/ });
    assert.equal(await stored(), revoked);
    assert.equal((await t.app.audit.verify()).ok, true);
  });

  it('fails every waiting issuance when the shared commit fails, and stores none', async () => {
    const pems = csrs(6);
    const before = await stored();
    // The commit of a transaction that stored certificates fails, as a full disk would; the CPM's
    // own transactions (its signature events) go through.
    const transaction = t.app.database.transaction;
    const count = async (tx: Tx) =>
      Number(
        (
          await tx
            .selectFrom('pki_certificates')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    let failedCommits = 0;
    Object.assign(t.app.database, {
      transaction: <T>(work: (tx: Tx) => Promise<T>) =>
        transaction(async (tx) => {
          const start = await count(tx);
          const result = await work(tx);
          if ((await count(tx)) > start) {
            failedCommits += 1;
            throw new Error('disk full');
          }
          return result;
        }),
    });
    try {
      const results = await issueAll(pems);
      assert.deepEqual(
        results.map((r) => r.status),
        Array(6).fill('rejected'),
      );
      assert.ok(failedCommits < 6, `${failedCommits} failed commits for 6 certificates`);
    } finally {
      Object.assign(t.app.database, { transaction });
    }
    assert.equal(await stored(), before);
    assert.equal((await t.app.audit.verify()).ok, true);
  });
});

describe('PKI kept ASN.1 forms', () => {
  it('assemble the bytes that were signed, and serialise like a fresh object', () => {
    const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const subjectKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const params = {
      serial: randomSerial(),
      issuer: encodeName({ commonName: 'Kept CA' }),
      issuerSpki: ca.publicKey.export({ type: 'spki', format: 'der' }),
      subject: encodeName({ commonName: 'dfsp-a', organization: 'Bank A', country: 'GB' }),
      subjectSpki: subjectKey.export({ type: 'spki', format: 'der' }),
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
      keyUsage: ['digitalSignature' as const],
      extendedKeyUsage: ['clientAuth' as const],
      crlUrl: 'http://pki.example/crl',
      ocspUrl: 'http://pki.example/ocsp',
      caIssuersUrl: 'http://pki.example/ca',
    };
    for (let round = 0; round < 2; round++) {
      // The second round takes the shared extensions and names from the caches.
      const { tbs, der } = buildTbs(params, '1.2.840.10045.4.3.2');
      const signature = sign('sha256', der, ca.privateKey);
      const certificate = AsnConvert.parse(assembleCertificate(tbs, '1.2.840.10045.4.3.2', signature), asn.Certificate);
      assert.deepEqual(Buffer.from(certificate.tbsCertificateRaw!), der);
      assert.deepEqual(Buffer.from(AsnConvert.serialize(AsnConvert.parse(der, asn.TBSCertificate))), der);
    }
    const name = encodeName({ commonName: 'dfsp-a', organization: 'Bank A', country: 'GB' });
    const fresh = AsnConvert.parse(AsnConvert.serialize(name), asn.Name);
    assert.deepEqual(Buffer.from(AsnConvert.serialize(name)), Buffer.from(AsnConvert.serialize(fresh)));
    assert.throws(() => (name as unknown as { fromASN: () => void }).fromASN(), /written, not read into/);
  });
});

describe('PKI DER work on a worker thread and in place', () => {
  const worker = new X509Offload();
  const inline = new X509Offload({ inline: true });
  after(() => worker.close());

  it('parses a CSR and builds a verifiable certificate the same way on both', async () => {
    const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const caSpki = ca.publicKey.export({ type: 'spki', format: 'der' });
    const signer = {
      signatureOid: '1.2.840.10045.4.3.2',
      sign: async (data: Buffer) => sign('sha256', data, ca.privateKey),
    };
    const pem = opensslCsr({ key: 'p256', subject: '/O=Bank A/CN=dfsp-a', dns: ['api.dfsp-a.example'] }).csrPem;
    for (const offload of [worker, inline]) {
      const csr = await offload.parseCsr(pem);
      assert.equal(csr.signatureValid, true);
      assert.deepEqual(csr.dnsNames, ['api.dfsp-a.example']);
      assert.ok(Buffer.isBuffer(csr.key.spki) && csr.key.publicKey.asymmetricKeyType === 'ec');
      const der = await offload.issue(
        {
          serial: randomSerial(),
          issuerDer: nameDer(encodeName({ commonName: 'Offload CA' })),
          issuerSpki: caSpki,
          subject: { commonName: 'dfsp-a', organization: 'Bank A' },
          subjectSpki: csr.key.spki,
          notBefore: new Date(),
          notAfter: new Date(Date.now() + 86_400_000),
          keyUsage: ['digitalSignature'],
          extendedKeyUsage: ['clientAuth'],
          dnsNames: csr.dnsNames,
        },
        signer,
      );
      const cert = new X509Certificate(der);
      assert.equal(cert.verify(ca.publicKey), true);
      assert.equal(cert.subject, 'O=Bank A\nCN=dfsp-a');
      assert.equal(cert.issuer, 'CN=Offload CA');
    }
    await assert.rejects(
      worker.parseCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'),
      {
        code: 'ERR_PEM_MALFORMED',
      },
    );
  });
});
