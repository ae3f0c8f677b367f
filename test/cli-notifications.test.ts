import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { systemContext } from '../src/core/context.js';
import { startTestServer, type TestServer } from './support/server.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const run = promisify(execFile);

describe('trustloop notifications CLI', () => {
  let t: TestServer;
  let baseUrl: string;
  let receiver: WebhookReceiver;
  const cli = async (token: string, ...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ['bin/trustloop.mjs', 'notifications', ...args], {
        env: { ...process.env, TRUSTLOOP_URL: baseUrl, TRUSTLOOP_TOKEN: token },
      });
      return { code: 0, out: stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  before(async () => {
    t = await startTestServer('sqlite', { webhookAllowPrivateNetworks: true });
    baseUrl = await t.server.listen({ host: '127.0.0.1', port: 0 });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    await t.close();
  });

  it('subscribes a webhook, prints the secret once, lists notifications and refuses bad input', async () => {
    const officer = t.tokens['security-officer'];
    const subscribed = await cli(officer, 'subscribe', '--url', receiver.url, '--events', 'pki.*', 'controls.*');
    assert.equal(subscribed.code, 0, subscribed.out);
    const id = /subscribed (whk_[a-z2-7]{16})/.exec(subscribed.out)![1]!;
    assert.match(subscribed.out, /signing secret .*: whsec_\S{44}$/m);
    const listed = await cli(officer, 'subscriptions');
    assert.match(
      listed.out,
      new RegExp(`${id}\\s+${receiver.url.replace(/[/.]/g, '\\$&')}\\s+pki\\.\\*,controls\\.\\*`),
    );
    assert.doesNotMatch(listed.out, /whsec_/);

    await t.app.database.transaction((tx) =>
      t.app.notifications.emit(tx, systemContext(), {
        type: 'pki.certificate.expiring',
        severity: 'warning',
        subject: 'certificate crt_x expires in 7 days',
        participantId: 'dfsp-a',
        payload: {},
      }),
    );
    const notifications = await cli(t.tokens.auditor, 'list', '--type', 'pki.*');
    assert.equal(notifications.code, 0, notifications.out);
    assert.match(notifications.out, /warning\s+pki\.certificate\.expiring\s+dfsp-a\s+0\s+1\s+0\s+certificate crt_x/);

    const bad = await cli(officer, 'subscribe', '--url', 'ftp://x.example/', '--events', '*');
    assert.equal(bad.code, 2);
    assert.match(bad.out, /ERR_VALIDATION: url: must be http or https/);
    const denied = await cli(t.tokens.auditor, 'subscribe', '--url', receiver.url, '--events', '*');
    assert.equal(denied.code, 1);
    assert.match(denied.out, /ERR_FORBIDDEN/);
    assert.equal((await cli(officer, 'unsubscribe', id)).code, 0);
    assert.equal((await cli(officer, 'unsubscribe', 'nope')).code, 2);
  });
});

describe('trustloop access-review CLI', () => {
  let t: TestServer;
  let baseUrl: string;
  const cli = async (token: string, ...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ['bin/trustloop.mjs', 'access-review', ...args], {
        env: { ...process.env, TRUSTLOOP_URL: baseUrl, TRUSTLOOP_TOKEN: token },
      });
      return { code: 0, out: stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  before(async () => {
    t = await startTestServer('sqlite');
    baseUrl = await t.server.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => t.close());

  it('starts a review, revokes one token, keeps the rest and completes it', async () => {
    const officer = t.tokens['security-officer'];
    const started = await cli(officer, 'start', '--note', 'quarterly');
    assert.equal(started.code, 0, started.out);
    const reviewId = /^(arv_[a-z2-7]{16}) open: 8 entries/.exec(started.out)![1]!;
    const other = t.otherParticipantToken.split('.')[1]!;
    const noReason = await cli(officer, 'decide', reviewId, other, '--decision', 'revoke');
    assert.equal(noReason.code, 2);
    assert.match(noReason.out, /reason: is required to revoke/);
    assert.match(
      (await cli(officer, 'decide', reviewId, other, '--decision', 'revoke', '--reason', 'left')).out,
      /^revoked /,
    );
    const own = t.tokens['security-officer'].split('.')[1]!;
    for (const token of Object.values(t.tokens)) {
      const id = token.split('.')[1]!;
      const decided = await cli(id === own ? t.tokens.admin : officer, 'decide', reviewId, id, '--decision', 'keep');
      assert.equal(decided.code, 0, decided.out);
    }
    const done = await cli(officer, 'complete', reviewId);
    assert.equal(done.code, 0, done.out);
    assert.match(done.out, /completed .*: 7 kept, 1 revoked/);
    assert.match((await cli(t.tokens.auditor, 'list')).out, new RegExp(`${reviewId}\\s+completed`));
  });
});
