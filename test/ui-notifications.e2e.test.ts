import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { systemContext } from '../src/core/context.js';
import { Dispatcher } from '../src/notifications/dispatcher.js';
import { browserSuite, openBrowserPage } from './support/browser.js';
import type { EngineName } from './support/engines.js';
import { PARTICIPANT_A, startTestServer, type TestServer } from './support/server.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const SCREENSHOT_DIR = fileURLToPath(new URL('../.tmp/ui-notifications/', import.meta.url));
const STEP = { timeout: 60_000 };

browserSuite('notifications UI', notificationsSuite);

function notificationsSuite(engine: EngineName): void {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  let pageProblems: string[] = [];
  let dispatcher: Dispatcher;
  let notificationId: string;

  before(async () => {
    server = await startTestServer(engine, { webhookAllowPrivateNetworks: true });
    receiver = await startWebhookReceiver();
    // One attempt before the dead letter, so the page can show one without waiting for backoff.
    dispatcher = new Dispatcher(
      server.app.database,
      server.app.audit,
      server.app.notifications.seal,
      () => server.app.keystore.sealed,
      {
        maxAttempts: 1,
        baseDelayMs: 1000,
        maxDelayMs: 1000,
        timeoutMs: 2000,
        batch: 10,
        concurrency: 2,
        allowPrivateNetworks: true,
      },
    );
    const origin = await server.server.listen({ host: '127.0.0.1', port: 0 });
    ({ browser, page, problems: pageProblems } = await openBrowserPage(origin));
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.close();
  });

  it('an officer adds a webhook and sees its signing secret once', STEP, async () => {
    await page.goto('/webhooks');
    await page.getByLabel('API token').fill(server.tokens['security-officer']);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No webhook yet.').waitFor();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const form = page.getByRole('dialog', { name: 'Add webhook' });
    await form.getByRole('textbox', { name: 'URL' }).fill('ftp://siem.example/');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await form.getByText('url: must be http or https').waitFor();
    await form.getByRole('textbox', { name: 'URL' }).fill(receiver.url);
    await form.getByRole('textbox', { name: 'Event types' }).fill('controls.*, pki.*');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    const secret = (await form.getByTestId('webhook-secret').innerText()).trim();
    assert.match(secret, /^whsec_/);
    receiver.useSecret(secret);
    await form.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row').filter({ hasText: receiver.url });
    await row.waitFor();
    assert.match(await row.innerText(), /controls\.\*, pki\.\*/);
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is not shown again');
    await screenshot(page, `webhooks-${engine}`);
  });

  it(
    'a failed delivery shows dead-lettered; redelivery sends it, signed, and the page says delivered',
    STEP,
    async () => {
      notificationId = await server.app.database.transaction((tx) =>
        server.app.notifications.emit(tx, systemContext(), {
          type: 'controls.collector.failed',
          severity: 'critical',
          subject: 'Audit trail integrity and retention failed',
          participantId: PARTICIPANT_A,
          payload: { collector: 'audit.chain' },
        }),
      );
      receiver.answer(503);
      assert.deepEqual(await dispatcher.run(), { delivered: 0, failed: 0, deadLettered: 1 });

      await page.getByRole('link', { name: 'Notifications', exact: true }).click();
      await page.getByRole('heading', { name: 'Notifications' }).waitFor();
      const row = page.getByTestId(`notification-${notificationId}`);
      await row.locator('[data-delivery-status="dead"]').waitFor();
      assert.match(await row.innerText(), /critical\s+controls\.collector\.failed\s+dfsp-a\s+Audit trail integrity/i);
      await row.click();
      const detail = page.getByTestId('notification-detail');
      await detail.waitFor();
      const delivery = detail.getByRole('row').filter({ hasText: receiver.url });
      assert.match(await delivery.innerText(), /dead\s+1\s+503/i);
      await screenshot(page, `dead-letter-${engine}`);

      receiver.answer(204);
      await delivery.getByRole('button', { name: 'Redeliver' }).click();
      await delivery.locator('[data-delivery-status="pending"]').waitFor();
      assert.deepEqual(await dispatcher.run(), { delivered: 1, failed: 0, deadLettered: 0 });
      const last = receiver.received.at(-1)!;
      assert.equal(last.signatureValid, true);
      assert.equal(last.headers['webhook-id'], notificationId);
      await page.reload();
      await page
        .getByTestId('notification-detail')
        .getByRole('row')
        .filter({ hasText: receiver.url })
        .locator('[data-delivery-status="delivered"]')
        .waitFor();
      await page.keyboard.press('Escape');
      await page.getByLabel('Delivery status').selectOption('dead');
      await page.getByText('No notification yet.').waitFor();
    },
  );

  it('a participant sees its own notifications but not the hub webhook', STEP, async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API token').fill(server.tokens.participant);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Notifications', exact: true }).click();
    await page.getByTestId(`notification-${notificationId}`).locator('text=no webhook').waitFor();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('No webhook yet.').waitFor();
  });

  it('ran without page errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
