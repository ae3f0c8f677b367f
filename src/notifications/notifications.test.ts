import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer, type TestServer } from '../../test/support/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.js';
import { systemContext } from '../core/context.js';
import { isTrustloopError } from '../core/errors.js';
import { Dispatcher, backoffMs } from './dispatcher.js';
import type { NotificationInput } from './service.js';
import { checkWebhookUrl } from './webhook-url.js';

const failing = (participantId: string | null): NotificationInput => ({
  type: 'controls.collector.failed',
  severity: 'critical',
  subject: 'cpm.key-rotation failed',
  participantId,
  payload: { collector: 'cpm.key-rotation', overdue: ['k1'], apiToken: 'tl.tok_x.secret' },
});

describe('webhook URL policy', () => {
  it('takes http(s) only, without credentials or fragments, and keeps private addresses out by default', () => {
    assert.equal(checkWebhookUrl('https://siem.example/hook?x=1', false).href, 'https://siem.example/hook?x=1');
    const refusals: [string, RegExp][] = [
      ['ftp://siem.example/', /http or https/],
      ['file:///etc/passwd', /http or https/],
      ['https://user:pw@siem.example/', /credentials/],
      ['https://siem.example/#x', /fragment/],
      ['http://127.0.0.1:8080/', /loopback or private/],
      ['http://10.1.2.3/', /loopback or private/],
      ['http://[::1]/', /loopback or private/],
      ['http://localhost/', /loopback name/],
      ['http://169.254.169.254/latest/meta-data', /link-local/],
      ['http://[::ffff:7f00:1]/', /reserved/],
      ['not a url', /absolute URL/],
    ];
    for (const [url, reason] of refusals) {
      assert.throws(
        () => checkWebhookUrl(url, false),
        (error: unknown) => isTrustloopError(error) && error.code === 'ERR_VALIDATION' && reason.test(error.message),
        url,
      );
    }
    assert.equal(checkWebhookUrl('http://127.0.0.1:9/', true).host, '127.0.0.1:9');
    assert.throws(() => checkWebhookUrl('http://169.254.169.254/', true), /link-local/);
  });

  it('backs off exponentially up to the cap', () => {
    const options = { baseDelayMs: 1000, maxDelayMs: 10_000 };
    for (const [failures, plain] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [6, 10_000],
    ] as const) {
      const delay = backoffMs(failures, options);
      assert.ok(delay >= plain * 0.8 && delay <= plain, `${failures}: ${delay}`);
    }
  });
});

forEachEngine('notification outbox', (engine) => {
  let t: TestServer;
  let receiver: WebhookReceiver;
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  let dispatcher: Dispatcher;

  before(async () => {
    t = await startTestServer(engine, { webhookAllowPrivateNetworks: true });
    receiver = await startWebhookReceiver();
    dispatcher = new Dispatcher(
      t.app.database,
      t.app.audit,
      t.app.notifications.seal,
      () => t.app.keystore.sealed,
      {
        maxAttempts: 3,
        baseDelayMs: 1000,
        maxDelayMs: 5000,
        timeoutMs: 2000,
        batch: 50,
        concurrency: 4,
        allowPrivateNetworks: true,
      },
      clock,
    );
  });
  after(async () => {
    await receiver.close();
    await t.close();
  });

  const emit = (input: NotificationInput) =>
    t.app.database.transaction((tx) => t.app.notifications.emit(tx, systemContext(), input));
  const deliveriesOf = async (id: string) =>
    (await t.request({ method: 'GET', url: `/api/v1/notifications/${id}`, as: 'security-officer' })).json()
      .deliveries as {
      id: string;
      status: string;
      attempts: number;
      history: { number: number; statusCode: number | null; outcome: string }[];
    }[];

  let hubSubscription: string;

  it('subscribes a webhook: the secret is shown once and stored sealed, never listed', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/notifications/subscriptions',
      as: 'security-officer',
      payload: { url: receiver.url, eventTypes: ['controls.*'], description: 'SOC' },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers['cache-control'], 'no-store');
    const { subscription, secret } = created.json();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    receiver.useSecret(secret);
    hubSubscription = subscription.id;
    assert.equal(subscription.participantId, null);
    const stored = await t.app.database.db
      .selectFrom('notification_subscriptions')
      .selectAll()
      .where('id', '=', subscription.id)
      .executeTakeFirstOrThrow();
    const raw = secret.slice('whsec_'.length);
    assert.ok(!JSON.stringify(stored).includes(raw), 'the stored row does not hold the secret');
    assert.match(stored.secret_sealed, /^tl:v1:/);
    const list = await t.request({ method: 'GET', url: '/api/v1/notifications/subscriptions', as: 'auditor' });
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(raw));
    assert.deepEqual(
      list.json().items.map((s: { id: string }) => s.id),
      [subscription.id],
    );
    const [event] = await t.app.audit.list({ limit: 1, action: 'notification.subscription.create' });
    assert.equal(event!.resource.id, subscription.id);
    assert.ok(!JSON.stringify(event).includes(raw));
  });

  it('refuses bad subscriptions with a 4xx naming the problem, storing nothing', async () => {
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ url: 'ftp://siem.example/x', eventTypes: ['*'] }, 400, /http or https/],
      [{ url: 'https://a:b@siem.example/x', eventTypes: ['*'] }, 400, /credentials/],
      [{ url: receiver.url, eventTypes: ['controls.colector.failed'] }, 400, /matches no notification type/],
      [{ url: receiver.url, eventTypes: [] }, 400, /eventTypes/],
      [{ url: receiver.url, eventTypes: ['*'], participantId: 'nobody' }, 400, /no such participant/],
      [{ url: `https://siem.example/${'x'.repeat(2100)}`, eventTypes: ['*'] }, 400, /url/],
    ];
    for (const [payload, status, detail] of cases) {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/notifications/subscriptions',
        as: 'security-officer',
        payload,
      });
      assert.equal(response.statusCode, status, JSON.stringify(payload).slice(0, 80));
      assert.match(response.json().detail, detail);
    }
    const foreign = await t.request({
      method: 'POST',
      url: '/api/v1/notifications/subscriptions',
      as: 'participant',
      payload: { url: receiver.url, eventTypes: ['*'], participantId: PARTICIPANT_B },
    });
    assert.equal(foreign.statusCode, 403);
    const rows = await t.app.database.db.selectFrom('notification_subscriptions').select('id').execute();
    assert.equal(rows.length, 1);
  });

  it('writes a notification only when the transaction that causes it commits', async () => {
    await assert.rejects(
      t.app.database.transaction(async (tx) => {
        await t.app.notifications.emit(tx, systemContext(), failing('hub'));
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    const none = await t.request({ method: 'GET', url: '/api/v1/notifications', as: 'security-officer' });
    assert.equal(none.json().total, 0);
  });

  it('signs and delivers to a real receiver, which verifies the HMAC; secrets never reach the payload', async () => {
    const id = await emit(failing('hub'));
    const report = await dispatcher.run();
    assert.deepEqual(report, { delivered: 1, failed: 0, deadLettered: 0 });
    const [request] = receiver.received.splice(0);
    assert.ok(request, 'the receiver was called');
    assert.equal(request.signatureValid, true, 'the HMAC-SHA256 signature verifies');
    assert.equal(request.headers['webhook-id'], id);
    assert.equal(request.headers['content-type'], 'application/json');
    const body = JSON.parse(request.body);
    assert.equal(body.type, 'controls.collector.failed');
    assert.equal(body.data.apiToken, '[redacted]');
    assert.deepEqual(body.data.overdue, ['k1']);
    const [delivery] = await deliveriesOf(id);
    assert.equal(delivery!.status, 'delivered');
    assert.deepEqual(
      delivery!.history.map((a) => [a.number, a.statusCode, a.outcome]),
      [[1, 204, 'delivered']],
    );
    const [event] = await t.app.audit.list({ limit: 1, action: 'notification.delivered' });
    assert.equal(event!.resource.id, delivery!.id);
    assert.deepEqual(await dispatcher.run(), { delivered: 0, failed: 0, deadLettered: 0 }, 'sent once');
  });

  it('a tampered body or another secret does not verify at the receiver', async () => {
    await emit(failing('hub'));
    await dispatcher.run();
    const [request] = receiver.received.splice(0);
    assert.equal(request!.signatureValid, true);
    const { verifyStandardWebhook } = await import('../../test/support/webhook-receiver.js');
    assert.equal(
      verifyStandardWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, request!.headers, request!.body),
      false,
    );
    assert.equal(verifyStandardWebhook('whsec_x', request!.headers, request!.body.replace('critical', 'info')), false);
  });

  it('retries a receiver answering 500 with backoff, then dead-letters; redelivery sends it again', async () => {
    receiver.answer(500);
    const id = await emit(failing('hub'));
    assert.deepEqual(await dispatcher.run(), { delivered: 0, failed: 1, deadLettered: 0 });
    assert.deepEqual(
      await dispatcher.run(),
      { delivered: 0, failed: 0, deadLettered: 0 },
      'not due before its backoff',
    );
    offsetMs += 10_000;
    assert.deepEqual(await dispatcher.run(), { delivered: 0, failed: 1, deadLettered: 0 });
    offsetMs += 10_000;
    assert.deepEqual(await dispatcher.run(), { delivered: 0, failed: 0, deadLettered: 1 });
    offsetMs += 60_000;
    assert.deepEqual(await dispatcher.run(), { delivered: 0, failed: 0, deadLettered: 0 }, 'dead stays dead');
    assert.equal(receiver.received.splice(0).length, 3);
    const [dead] = await deliveriesOf(id);
    assert.equal(dead!.status, 'dead');
    assert.deepEqual(
      dead!.history.map((a) => [a.number, a.statusCode, a.outcome]),
      [
        [1, 500, 'failed'],
        [2, 500, 'failed'],
        [3, 500, 'failed'],
      ],
    );
    const [event] = await t.app.audit.list({ limit: 1, action: 'notification.dead-lettered' });
    assert.equal(event!.outcome, 'failure');
    const listed = await t.request({
      method: 'GET',
      url: '/api/v1/notifications?deliveryStatus=dead',
      as: 'compliance-officer',
    });
    assert.deepEqual(
      listed.json().items.map((n: { id: string }) => n.id),
      [id],
    );

    receiver.answer(200);
    const again = await t.request({
      method: 'POST',
      url: `/api/v1/notifications/deliveries/${dead!.id}/redeliver`,
      as: 'security-officer',
    });
    assert.equal(again.statusCode, 202, again.body);
    assert.deepEqual(await dispatcher.run(), { delivered: 1, failed: 0, deadLettered: 0 });
    const [delivered] = await deliveriesOf(id);
    assert.equal(delivered!.status, 'delivered');
    assert.deepEqual(
      delivered!.history.map((a) => a.number),
      [1, 2, 3, 4],
    );
    const twice = await t.request({
      method: 'POST',
      url: `/api/v1/notifications/deliveries/${dead!.id}/redeliver`,
      as: 'security-officer',
    });
    assert.equal(twice.statusCode, 202, 'a delivered one may be sent again on request');
    await dispatcher.run();
    receiver.received.splice(0);
  });

  it('records an unreachable receiver as a failed attempt with its reason', async () => {
    const closed = await startWebhookReceiver();
    await closed.close();
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/notifications/subscriptions',
      as: 'admin',
      payload: { url: closed.url, eventTypes: ['pki.certificate.expiring'] },
    });
    assert.equal(created.statusCode, 201);
    const id = await emit({
      type: 'pki.certificate.expiring',
      severity: 'warning',
      subject: 'expiring',
      participantId: PARTICIPANT_B,
      payload: {},
    });
    assert.deepEqual(await dispatcher.run(), { delivered: 0, failed: 1, deadLettered: 0 });
    const [delivery] = await deliveriesOf(id);
    assert.equal(delivery!.history[0]!.statusCode, null);
    const detail = await t.request({ method: 'GET', url: `/api/v1/notifications/${id}`, as: 'admin' });
    assert.equal(detail.json().deliveries[0].lastError, 'ECONNREFUSED');
    const removed = await t.request({
      method: 'DELETE',
      url: `/api/v1/notifications/subscriptions/${created.json().subscription.id}`,
      as: 'admin',
    });
    assert.equal(removed.statusCode, 200);
    assert.equal((await deliveriesOf(id))[0]!.status, 'cancelled');
  });

  it('a participant sees and subscribes to its own notifications only', async () => {
    const own = await t.request({
      method: 'POST',
      url: '/api/v1/notifications/subscriptions',
      as: 'participant',
      payload: { url: receiver.url, eventTypes: ['*'] },
    });
    assert.equal(own.statusCode, 201, own.body);
    assert.equal(own.json().subscription.participantId, PARTICIPANT_A);
    receiver.useSecret(own.json().secret);
    const mine = await emit(failing(PARTICIPANT_A));
    await emit(failing(PARTICIPANT_B));
    // The hub's subscription (every participant) gets both; the participant's only its own.
    assert.deepEqual(await dispatcher.run(), { delivered: 3, failed: 0, deadLettered: 0 });
    const signedForA = receiver.received.splice(0).filter((request) => request.signatureValid);
    assert.deepEqual(
      signedForA.map((request) => JSON.parse(request.body).participantId),
      [PARTICIPANT_A],
    );

    const list = await t.request({ method: 'GET', url: '/api/v1/notifications', as: 'participant' });
    assert.deepEqual(
      list.json().items.map((n: { id: string }) => n.id),
      [mine],
    );
    const subs = await t.request({ method: 'GET', url: '/api/v1/notifications/subscriptions', as: 'participant' });
    assert.deepEqual(
      subs.json().items.map((s: { participantId: string }) => s.participantId),
      [PARTICIPANT_A],
    );
    const hubs = await t.request({
      method: 'DELETE',
      url: `/api/v1/notifications/subscriptions/${hubSubscription}`,
      as: 'participant',
    });
    assert.equal(hubs.statusCode, 404);
    const other = (
      await t.request({ method: 'GET', url: '/api/v1/notifications?participantId=dfsp-b', as: 'admin' })
    ).json().items[0].id as string;
    const peek = await t.request({ method: 'GET', url: `/api/v1/notifications/${other}`, as: 'participant' });
    assert.equal(peek.statusCode, 404);
    const forbidden = await t.request({ method: 'GET', url: '/api/v1/notifications', as: 'risk-manager' });
    assert.equal(forbidden.statusCode, 403);
  });
});
