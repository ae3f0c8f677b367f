import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemContext } from '../src/core/context.js';
import { forEachEngine } from './support/engines.js';
import { startPkiServer, type PkiTestServer } from './support/pki-server.js';

/** The certificate collector reads the hub PKI as evidence for PCI DSS 4.2.1. */
forEachEngine('PKI evidence for the controls', (engine) => {
  let t: PkiTestServer;
  before(async () => {
    t = await startPkiServer(engine);
  });
  after(() => t.close());

  const collect = async () => {
    const [record] = await t.app.collectors.run(systemContext(), 'pki.certificates');
    return record!;
  };

  it('passes while certificates in use are current and strong, fails once one expires unrevoked', async () => {
    const issued = await t.request({
      method: 'POST',
      url: '/api/v1/pki/certificates/hub',
      as: 'security-officer',
      payload: { profile: 'jws-signing', keyType: 'ec-p256' },
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const { certificate } = issued.json();
    const current = await collect();
    assert.deepEqual([current.participantId, current.result], ['hub', 'pass']);
    assert.ok(
      current.requirementUrns.includes('urn:trustloop:catalog:pci-dss:4.0.1:req:4.2.1'),
      current.requirementUrns.join(),
    );

    await t.app.rawSql(
      `update pki_certificates set not_after = '2020-01-01T00:00:00.000Z' where id = '${certificate.id}'`,
    );
    const stale = await collect();
    assert.equal(stale.result, 'fail');
    assert.deepEqual((stale.data as { expired: string[] }).expired, [certificate.serial]);
  });
});
