import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSuite, openBrowserPage } from './support/browser.js';
import { tamperWithAudit, type EngineName } from './support/engines.js';
import { startTestServer, type TestServer } from './support/server.js';

const SCREENSHOT_DIR = fileURLToPath(new URL('../.tmp/ui-e2e/', import.meta.url));
const STEP = { timeout: 60_000 };

browserSuite('web UI', uiSuite);

function uiSuite(engine: EngineName): void {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageProblems: string[] = [];

  before(async () => {
    server = await startTestServer(engine);
    const origin = await server.server.listen({ host: '127.0.0.1', port: 0 });
    ({ browser, context, page, problems: pageProblems } = await openBrowserPage(origin));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in with an API token into an HttpOnly, SameSite=Strict session', STEP, async () => {
    await page.goto('/');
    await page.getByLabel('API token').fill(server.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-badge').waitFor();
    assert.equal(await page.getByTestId('user-role').textContent(), 'admin');
    assert.match((await page.getByTestId('user-token-id').textContent()) ?? '', /^tok_/);

    const session = (await context.cookies()).find((cookie) => cookie.name === 'tl_session');
    assert.ok(session, 'the tl_session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    const readable = await page.evaluate(() => document.cookie);
    assert.doesNotMatch(readable, /tl_session=/, 'page scripts cannot read the session cookie');
  });

  it('refuses a state-changing request that carries the cookie but no CSRF header', STEP, async () => {
    const answer = await page.evaluate(async () => {
      const response = await fetch('/api/v1/participants', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'csrf-probe', name: 'Forged', kind: 'dfsp' }),
      });
      return { status: response.status, body: (await response.json()) as { code?: string } };
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.code, 'ERR_CSRF');
    const probe = await server.request({ method: 'GET', url: '/api/v1/participants/csrf-probe' });
    assert.equal(probe.statusCode, 404, 'the forged request created nothing');
  });

  it('adds a participant with a security contact, then suspends it', STEP, async () => {
    await page.getByRole('link', { name: 'Participants' }).click();
    await page.getByRole('button', { name: 'Add participant' }).click();
    const form = page.getByRole('dialog', { name: 'Add participant' });
    await form.getByLabel('Participant id').fill('dfsp-ui');
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('UI Test Bank');
    await form.getByLabel('Kind').selectOption('dfsp');
    await form.getByLabel('Contact name').fill('Ada Analyst');
    await form.getByLabel('Contact email').fill('ada@bank.example');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'hidden' });

    const row = page.getByTestId('participant-row-dfsp-ui');
    assert.deepEqual(await row.getByRole('cell').allTextContents(), [
      'dfsp-ui',
      'UI Test Bank',
      'dfsp',
      'active',
      '1',
      'Suspend',
    ]);
    await row.getByRole('button', { name: 'Suspend dfsp-ui' }).click();
    await row.getByRole('button', { name: 'Reactivate dfsp-ui' }).waitFor();
    const stored = await server.request({ method: 'GET', url: '/api/v1/participants/dfsp-ui' });
    assert.equal(stored.json<{ status: string }>().status, 'suspended');
  });

  it('shows the participant.create event in the audit trail, with its hashes', STEP, async () => {
    await page.getByRole('link', { name: 'Audit trail' }).click();
    const filters = page.getByRole('form', { name: 'Audit filters' });
    await filters.getByLabel('Action').fill('participant.*');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=participant/);

    const row = page.getByRole('row').filter({ hasText: 'participant.create' }).filter({ hasText: 'dfsp-ui' });
    await row.waitFor();
    await row.click();
    const detail = page.getByTestId('audit-event-detail');
    await detail.waitFor();
    const fields = await detail.innerText();
    assert.match(fields, /^Action\tparticipant\.create$/m);
    assert.match(fields, /^Resource\tparticipant dfsp-ui$/m);
    assert.match((await page.getByTestId('audit-event-hash').textContent()) ?? '', /^[0-9a-f]{64}$/);
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden' });
  });

  it('verifies the chain as intact', STEP, async () => {
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const result = page.getByTestId('verification-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-ok'), 'true');
    const text = await result.innerText();
    assert.match(text, /^Chain intact\n/);
    assert.match(text, /All \d+ events verified/);
    assert.match(text, /Head hash [0-9a-f]{64}/);
    await screenshot(page, `audit-intact-${engine}`);
  });

  it('reports the chain BROKEN at the sequence number that was tampered with', STEP, async () => {
    await tamperWithAudit(server.app, "update audit_events set action = 'x' where seq = 2");
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const broken = page.getByTestId('verification-result').and(page.locator('[data-ok="false"]'));
    await broken.waitFor();
    const text = await broken.innerText();
    assert.match(text, /^Chain BROKEN at sequence 2\n/);
    assert.match(text, /altered after it was written/);
    await screenshot(page, `audit-broken-${engine}`);

    await broken.getByRole('button', { name: 'Open event 2' }).click();
    const detail = page.getByTestId('audit-event-detail');
    await detail.waitFor();
    assert.match(await detail.innerText(), /^Action\tx$/m, 'the detail view shows the forged action');
    await page.keyboard.press('Escape');
  });

  it('logs out; a read-only role then sees no audit trail and no write actions', STEP, async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API token').fill(server.tokens['risk-manager']);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Still on the audit page's URL, which this role may not open.
    await page.getByRole('heading', { name: 'Nothing here' }).waitFor();
    assert.equal(await page.getByTestId('user-role').textContent(), 'risk-manager');
    assert.deepEqual(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents(), [
      'Participants',
      'Control catalogs',
      'Responsibility matrix',
      'Assessments',
      'Compliance gaps',
    ]);

    await page.getByRole('link', { name: 'Participants' }).click();
    await page.getByTestId('participant-row-dfsp-ui').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add participant' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Suspend|Reactivate) / }).count(), 0);
  });

  it('ran without page errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
