import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemContext } from '../src/core/context.js';
import { breakAuditWrites, forEachEngine, type TestApp } from './support/engines.js';
import { officer, startPkiServer, type PkiTestServer } from './support/pki-server.js';
import { PARTICIPANT_B } from './support/server.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const PCI_826 = 'urn:trustloop:catalog:pci-dss:4.0.1:req:8.2.6';
const DAY = 86_400_000;

forEachEngine('notification producers', (engine) => {
  let t: PkiTestServer;
  let receiver: WebhookReceiver;

  before(async () => {
    t = await startPkiServer(engine, { webhookAllowPrivateNetworks: true });
    receiver = await startWebhookReceiver();
    const { secret } = await t.app.notifications.subscribe(officer, {
      url: receiver.url,
      eventTypes: ['controls.collector.failed', 'pki.*'],
    });
    receiver.useSecret(secret);
  });
  after(async () => {
    await receiver.close();
    await t.close();
  });

  const notifications = async (type: string) => (await t.app.notifications.list(officer, { type, limit: 500 })).items;

  it('a collector that starts failing writes controls.collector.failed with its evidence, once', async () => {
    // The fixture's tokens have no expiry: token hygiene fails for the hub and both DFSPs.
    const records = await t.app.collectors.run(systemContext(), 'iam.token-hygiene');
    assert.ok(records.length >= 3 && records.every((r) => r.result === 'fail'));
    const first = await notifications('controls.collector.failed');
    assert.deepEqual(first.map((n) => n.participantId).sort(), ['dfsp-a', 'dfsp-b', 'hub']);
    for (const n of first) {
      assert.equal(n.severity, 'critical');
      assert.ok((n.payload.requirements as string[]).includes(PCI_826));
      const evidence = records.find((r) => r.id === n.payload.evidenceId);
      assert.ok(evidence, 'the notification names the evidence record written with it');
      assert.equal(evidence.participantId, n.participantId);
      assert.deepEqual((n.payload.data as { withoutExpiry: string[] }).withoutExpiry.length > 0, true);
    }
    await t.app.collectors.run(systemContext(), 'iam.token-hygiene');
    assert.equal(
      (await notifications('controls.collector.failed')).length,
      3,
      'a collector still failing is not announced again',
    );

    assert.deepEqual(await t.app.dispatcher.run(), { delivered: 3, failed: 0, deadLettered: 0 });
    const bodies = receiver.received.splice(0);
    assert.ok(bodies.every((r) => r.signatureValid));
    assert.deepEqual(
      bodies.map((r) => JSON.parse(r.body).type),
      Array(3).fill('controls.collector.failed'),
    );
  });

  it('announces again when a collector fails after passing', async () => {
    const tokens = await t.app.tokens.list();
    await t.app.tokens.create(systemContext(), {
      name: 'expiring',
      role: 'participant',
      participantId: PARTICIPANT_B,
      expiresAt: new Date(Date.now() + 30 * DAY).toISOString(),
    });
    for (const token of tokens.filter((tok) => tok.participantId === PARTICIPANT_B))
      await t.app.tokens.revoke(systemContext(), token.id);
    await t.app.collectors.run(systemContext(), 'iam.token-hygiene');
    assert.equal((await notifications('controls.collector.failed')).length, 3, 'a pass announces nothing');
    await t.app.tokens.create(systemContext(), {
      name: 'no expiry',
      role: 'participant',
      participantId: PARTICIPANT_B,
    });
    await t.app.collectors.run(systemContext(), 'iam.token-hygiene');
    const after = await notifications('controls.collector.failed');
    assert.equal(after.length, 4);
    assert.equal(after[0]!.participantId, PARTICIPANT_B);
  });

  it('a collector run whose audit write fails leaves neither evidence nor notification', async () => {
    const before = (await notifications('*')).length;
    const evidenceBefore = (await t.app.database.db.selectFrom('controls_evidence').select('id').execute()).length;
    await t.app.tokens.revoke(systemContext(), (await t.app.tokens.list()).find((tok) => tok.name === 'no expiry')!.id);
    await t.app.collectors.run(systemContext(), 'iam.token-hygiene');
    const undo = await breakAuditWrites(t.app as TestApp);
    try {
      await t.app.tokens
        .create(systemContext(), { name: 'x', role: 'participant', participantId: PARTICIPANT_B })
        .catch(() => undefined);
      await assert.rejects(
        t.app.collectors.run(systemContext(), 'iam.token-hygiene'),
        /audit trail could not be written/,
      );
    } finally {
      await undo();
    }
    assert.equal((await notifications('*')).length, before);
    const evidenceAfter = (await t.app.database.db.selectFrom('controls_evidence').select('id').execute()).length;
    assert.ok(evidenceAfter > evidenceBefore, 'the pass before the fault was recorded');
  });

  it('a collector that cannot run fails its requirements and is announced, without internals', async () => {
    const app = t.app as TestApp;
    await app.rawSql('alter table pki_certificates rename to pki_certificates_moved');
    let records;
    try {
      records = await t.app.collectors.run(systemContext(), 'pki.certificates');
    } finally {
      await app.rawSql('alter table pki_certificates_moved rename to pki_certificates');
    }
    assert.deepEqual(
      records.map((r) => [r.participantId, r.result, r.data]),
      [['hub', 'fail', { error: 'ERR_INTERNAL' }]],
    );
    const [announced] = await notifications('controls.collector.failed');
    assert.equal(announced!.payload.collector, 'pki.certificates');
    assert.match(announced!.subject, /could not run \(ERR_INTERNAL\)$/);
    assert.doesNotMatch(JSON.stringify(announced), /pki_certificates|SQLITE|relation/);
    const recovered = await t.app.collectors.run(systemContext(), 'pki.certificates');
    assert.ok(recovered.every((r) => r.result === 'pass'));
  });

  it('the expiry watch announces a certificate once per threshold: 30, 7 and 1 days', async () => {
    const cert = await t.app.pki.issueForHub(officer, { profile: 'jws-signing', keyType: 'ec-p256' });
    const expireIn = (ms: number) =>
      (t.app as TestApp).rawSql(
        `update pki_certificates set not_after = '${new Date(Date.now() + ms).toISOString()}' where id = '${cert.id}'`,
      );
    const announced = async () =>
      (await notifications('pki.certificate.expiring'))
        .filter((n) => n.payload.certificateId === cert.id)
        .map((n) => [n.payload.withinDays, n.severity]);

    assert.equal((await t.app.pki.maintain(officer)).expiring, 0);
    await expireIn(20 * DAY);
    assert.equal((await t.app.pki.maintain(officer)).expiring, 1);
    assert.equal((await t.app.pki.maintain(officer)).expiring, 0, 'no duplicate on the next run');
    await expireIn(5 * DAY);
    assert.equal((await t.app.pki.maintain(officer)).expiring, 1);
    assert.equal((await t.app.pki.maintain(officer)).expiring, 0);
    await expireIn(DAY / 2);
    assert.equal((await t.app.pki.maintain(officer)).expiring, 1);
    assert.equal((await t.app.pki.maintain(officer)).expiring, 0);
    assert.deepEqual(await announced(), [
      [1, 'critical'],
      [7, 'critical'],
      [30, 'warning'],
    ]);
    const [newest] = await notifications('pki.certificate.expiring');
    assert.equal(newest!.participantId, 'hub');
    assert.match(newest!.subject, /jws-signing certificate [0-9a-f]+ of hub expires within 1 day/);

    const late = await t.app.pki.issueForHub(officer, { profile: 'jws-signing', keyType: 'ec-p256' });
    await (t.app as TestApp).rawSql(
      `update pki_certificates set not_after = '${new Date(Date.now() + 3 * DAY).toISOString()}' where id = '${late.id}'`,
    );
    assert.equal((await t.app.pki.maintain(officer)).expiring, 1, 'found at 3 days: announced at 7 only');
    assert.equal((await t.app.pki.maintain(officer)).expiring, 0);

    await t.app.dispatcher.run();
    const expiring = receiver.received.splice(0).filter((r) => JSON.parse(r.body).type === 'pki.certificate.expiring');
    assert.equal(expiring.length, 4);
    assert.ok(expiring.every((r) => r.signatureValid));
  });
});
