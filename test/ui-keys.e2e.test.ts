import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { browserSuite, openBrowserPage, signIn } from './support/browser.js';
import { systemContext } from '../src/core/context.js';
import { softHsmConfig } from './support/softhsm.js';
import type { EngineName } from './support/engines.js';
import { startTestServer, type TestServer } from './support/server.js';

const SCREENSHOT_DIR = fileURLToPath(new URL('../.tmp/ui-keys/', import.meta.url));
const STEP = { timeout: 60_000 };
const KEY_NAME = 'ui-signer';

browserSuite('keys UI', keysSuite);
browserSuite('keys UI on a PKCS#11 keystore', pkcs11Suite);

/** The same page over a SoftHSM2 token: no custodian shares to present, keys made in the token. */
function pkcs11Suite(engine: EngineName): void {
  const hsm = softHsmConfig();
  if (!hsm) {
    it('needs SoftHSM2', { skip: process.env.CI === 'true' ? false : 'softhsm2 is not installed' }, () => {
      throw new Error('CI=true but SoftHSM2 is missing: apt-get install softhsm2');
    });
    return;
  }
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let pageProblems: string[] = [];

  before(async () => {
    server = await startTestServer(engine, hsm);
    const origin = await server.server.listen({ host: '127.0.0.1', port: 0 });
    ({ browser, page, problems: pageProblems } = await openBrowserPage(origin));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the token open, offers no shares or seal, and creates keys inside it', STEP, async () => {
    await page.goto('/keys');
    await page.getByLabel('API token').fill(server.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const status = page.getByTestId('keystore-status');
    await status.waitFor();
    assert.equal(await status.getAttribute('data-sealed'), 'false');
    assert.match(
      await page.getByTestId('keystore-summary').innerText(),
      /^Backend pkcs11: keys are generated and used inside the token/,
    );
    assert.equal(await page.getByRole('button', { name: /^(Seal|Unseal)$/ }).count(), 0);

    await page.getByRole('button', { name: 'Create key' }).click();
    const form = page.getByRole('dialog', { name: 'Create key' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('hsm-signer');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: 'hsm-signer' });
    await row.waitFor();
    assert.deepEqual((await row.getByRole('cell').allTextContents()).slice(-2), ['hub', 'pkcs11']);
    assert.deepEqual(pageProblems, []);
  });
}

function keysSuite(engine: EngineName): void {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let pageProblems: string[] = [];

  before(async () => {
    server = await startTestServer(engine, {}, { sealed: true });
    const origin = await server.server.listen({ host: '127.0.0.1', port: 0 });
    ({ browser, page, problems: pageProblems } = await openBrowserPage(origin));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const listKeys = async () =>
    (await server.request({ method: 'GET', url: '/api/v1/keys' })).json<{ items: StoredKey[] }>().items;
  const keyStatus = () =>
    page
      .getByTestId('key-detail')
      .getByRole('row')
      .filter({ hasText: /^Status/ })
      .textContent();
  const keystoreTitle = () => page.getByTestId('keystore-status').locator('.mantine-Alert-title').innerText();

  it('shows the keystore sealed to an admin', STEP, async () => {
    await page.goto('/keys');
    await signIn(page, server.tokens.admin);
    await page.getByRole('heading', { name: 'Keys' }).waitFor();
    await page.getByTestId('keystore-status').waitFor();
    assert.equal(await keystoreTitle(), 'Keystore sealed');
    assert.match(await page.getByTestId('keystore-summary').innerText(), /Not initialised/);
    await screenshot(page, `sealed-${engine}`);
  });

  it('unseals through the UI with two of three shares', STEP, async () => {
    const shares = await server.app.ceremony.init(systemContext(), { shares: 3, threshold: 2 });
    await page.reload();
    const form = page.getByRole('form', { name: 'Unseal keystore' });
    const share = form.getByLabel('Unseal share');
    assert.equal(await share.getAttribute('type'), 'password', 'a share is never shown on screen');

    await share.fill(shares[0] ?? '');
    await form.getByRole('button', { name: 'Unseal' }).click();
    await page.getByTestId('keystore-summary').filter({ hasText: '1 of 2 shares presented' }).waitFor();
    assert.equal(await share.inputValue(), '', 'the input is cleared once the share is sent');
    assert.equal(await keystoreTitle(), 'Keystore sealed');

    await share.fill(shares[1] ?? '');
    await form.getByRole('button', { name: 'Unseal' }).click();
    await page.getByTestId('keystore-status').and(page.locator('[data-sealed="false"]')).waitFor();
    assert.equal(await keystoreTitle(), 'Keystore unsealed');
    assert.equal(await form.count(), 0, 'no unseal form once open');
    await page.getByRole('button', { name: 'Seal', exact: true }).waitFor();
  });

  it(
    'creates an ec-p256 signing key with a policy, offering only the purposes and operations its type allows',
    STEP,
    async () => {
      await page.getByRole('button', { name: 'Create key' }).click();
      const form = page.getByRole('dialog', { name: 'Create key' });
      await form.getByRole('textbox', { name: 'Name', exact: true }).fill(KEY_NAME);
      await form.getByLabel('Type').selectOption('hmac-sha256');
      assert.deepEqual(await form.getByLabel('Purpose').locator('option').allTextContents(), ['mac']);
      assert.deepEqual(await checkboxLabels(form, 'Operations allowed'), ['mac', 'verify-mac']);
      await form.getByLabel('Type').selectOption('rsa-2048');
      await form.getByLabel('Purpose').selectOption('encrypt');
      assert.deepEqual(await checkboxLabels(form, 'Operations allowed'), ['encrypt', 'decrypt']);
      await form.getByLabel('Type').selectOption('ec-p256');
      assert.deepEqual(await form.getByLabel('Purpose').locator('option').allTextContents(), ['sign']);
      assert.deepEqual(await checkboxLabels(form, 'Operations allowed'), ['sign', 'verify']);
      // Policy: only security officers, and only to sign.
      await form.getByRole('checkbox', { name: 'admin', exact: true }).uncheck();
      await form.getByRole('checkbox', { name: 'verify', exact: true }).uncheck();
      await form.getByLabel('Rotation period in days (optional)').fill('90');
      await form.getByRole('button', { name: 'Create' }).click();
      await form.waitFor({ state: 'hidden' });

      const row = page.getByRole('row').filter({ hasText: KEY_NAME });
      await row.waitFor();
      const cells = await row.getByRole('cell').allTextContents();
      assert.deepEqual(cells, [KEY_NAME, 'ec-p256', 'sign', 'enabled', '1', '0 d', 'every 90 d', 'hub', 'software']);
      const stored = (await listKeys()).find((key) => key.name === KEY_NAME);
      assert.deepEqual(stored?.policy, { roles: ['security-officer'], operations: ['sign'] });
    },
  );

  it('opens the key: version 1, its public key PEM, no operations counted yet', STEP, async () => {
    await page.getByRole('button', { name: `Open key ${KEY_NAME}` }).click();
    const detail = page.getByTestId('key-detail');
    await detail.waitFor();
    await page.waitForURL(/\?key=/);
    assert.match(await detail.innerText(), /^Latest version\t1$/m);
    await detail.getByTestId('key-version-1').waitFor();
    const pem = detail.getByTestId('key-public-pem');
    await pem.waitFor();
    assert.match((await pem.textContent()) ?? '', /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n?$/);
    assert.match(await detail.innerText(), /Not used yet\./);
    assert.match(await detail.innerText(), /^Allowed operations\tsign$/m);
    assert.match(await detail.innerText(), /^Allowed callers\tsecurity-officer$/m);
    assert.match(await detail.innerText(), /^Rotation\tevery 90 days; next \d{4}-\d\d-\d\d/m);
  });

  it('rotates the key after confirmation and shows version 2', STEP, async () => {
    const drawer = page.getByRole('dialog', { name: `Key ${KEY_NAME}` });
    await drawer.getByRole('button', { name: 'Rotate' }).click();
    const confirm = page.getByRole('dialog', { name: 'Rotate key' });
    await confirm.getByRole('button', { name: 'Rotate' }).click();
    await confirm.waitFor({ state: 'hidden' });
    const detail = page.getByTestId('key-detail');
    await detail.getByTestId('key-version-2').waitFor();
    assert.match(await detail.innerText(), /^Latest version\t2$/m);
    assert.match(await detail.getByText('Public key (version 2, PEM)').innerText(), /version 2/);
  });

  it('changes the rotation period and the minimum decryption version in the settings', STEP, async () => {
    const drawer = page.getByRole('dialog', { name: `Key ${KEY_NAME}` });
    await drawer.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Key settings' });
    await dialog.getByLabel('Rotation period in days').fill('30');
    const minVersion = dialog.getByLabel('Minimum decryption version');
    await minVersion.fill('3');
    await dialog.getByText('a version from 1 to 2').waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Save' }).isDisabled(), true);
    await minVersion.fill('2');
    await dialog.getByText(/can no longer be decrypted/).waitFor();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const detail = page.getByTestId('key-detail');
    await detail.getByText(/^every 30 days; next/).waitFor();
    assert.match(await detail.innerText(), /^Min\. decryption version\t2$/m);
    const [key] = await listKeys();
    assert.deepEqual([key!.rotationPeriodDays, key!.minDecryptionVersion], [30, 2]);
  });

  it('disables the key after confirmation, then offers to enable it', STEP, async () => {
    const drawer = page.getByRole('dialog', { name: `Key ${KEY_NAME}` });
    await drawer.getByRole('button', { name: 'Disable' }).click();
    const confirm = page.getByRole('dialog', { name: 'Disable key' });
    await confirm.getByRole('button', { name: 'Disable' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await drawer.getByRole('button', { name: 'Enable' }).waitFor();
    assert.equal(await keyStatus(), 'Statusdisabled');
    await screenshot(page, `key-disabled-${engine}`);

    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: KEY_NAME });
    await row.getByText('disabled').waitFor();
    const keys = await listKeys();
    assert.deepEqual(
      keys.map(({ name, status, latestVersion }) => ({ name, status, latestVersion })),
      [{ name: KEY_NAME, status: 'disabled', latestVersion: 2 }],
    );
    await screenshot(page, `keys-${engine}`);
  });

  it('shows an auditor the keystore and the keys, with no write action', STEP, async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await signIn(page, server.tokens.auditor);
    assert.equal(await page.getByTestId('user-role').textContent(), 'auditor');
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('row').filter({ hasText: KEY_NAME }).waitFor();
    assert.equal(await keystoreTitle(), 'Keystore unsealed');
    assert.equal(await page.getByRole('button', { name: 'Create key' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Seal|Unseal)$/ }).count(), 0);

    await page.getByRole('button', { name: `Open key ${KEY_NAME}` }).click();
    await page.getByTestId('key-public-pem').waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Rotate|Enable|Disable|Schedule destruction)$/ }).count(), 0);
    await screenshot(page, `auditor-${engine}`);
  });

  it('schedules destruction with a waiting period, then cancels it: the key comes back disabled', STEP, async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: `Key ${KEY_NAME}` }).waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Log out' }).click();
    await signIn(page, server.tokens['security-officer']);
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: `Open key ${KEY_NAME}` }).click();
    const drawer = page.getByRole('dialog', { name: `Key ${KEY_NAME}` });
    await scheduleDestruction(drawer, '7');
    await drawer.getByRole('button', { name: 'Cancel destruction' }).waitFor();
    assert.equal(await keyStatus(), 'Statusdestroy-scheduled');
    assert.equal(await drawer.getByRole('button', { name: 'Destroy' }).isDisabled(), true, 'not before the period');
    assert.match(await drawer.getByTestId('key-destroy-after').innerText(), /^Can be destroyed after \d{4}-/);
    assert.equal(await drawer.getByRole('button', { name: /^(Rotate|Enable|Disable)$/ }).count(), 0);
    const [scheduled] = await listKeys();
    const days = (Date.parse(scheduled!.destroyAfter!) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `destroyAfter is ${days} days away`);
    await screenshot(page, `key-destroy-scheduled-${engine}`);

    await drawer.getByRole('button', { name: 'Cancel destruction' }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel destruction' });
    await confirm.getByRole('button', { name: 'Cancel destruction' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await drawer.getByRole('button', { name: 'Enable' }).waitFor();
    assert.equal(await keyStatus(), 'Statusdisabled');
    assert.deepEqual(
      (await listKeys()).map(({ status, destroyAfter }) => ({ status, destroyAfter })),
      [{ status: 'disabled', destroyAfter: null }],
    );
  });

  it('destroys the key once its waiting period is over, after typing its name', STEP, async () => {
    const drawer = page.getByRole('dialog', { name: `Key ${KEY_NAME}` });
    await scheduleDestruction(drawer, '1');
    await drawer.getByRole('button', { name: 'Cancel destruction' }).waitFor();
    // A day goes by: the waiting period ends, as the server's clock sees it.
    await server.app.rawSql(
      `update cpm_keys set destroy_after = '${new Date(Date.now() - 1000).toISOString()}' where name = '${KEY_NAME}'`,
    );
    await page.reload();
    const destroy = drawer.getByRole('button', { name: 'Destroy' });
    await destroy.waitFor();
    assert.equal(await destroy.isEnabled(), true);
    await destroy.click();
    const confirm = page.getByRole('dialog', { name: 'Destroy key' });
    const button = confirm.getByRole('button', { name: 'Destroy' });
    await confirm.getByLabel(`Type ${KEY_NAME} to confirm`).fill('ui-signe');
    assert.equal(await button.isDisabled(), true, 'the name must match exactly');
    await confirm.getByLabel(`Type ${KEY_NAME} to confirm`).fill(KEY_NAME);
    await button.click();
    await confirm.waitFor({ state: 'hidden' });
    await drawer.getByText('Every version was destroyed in the keystore').waitFor();
    assert.equal(await keyStatus(), 'Statusdestroyed');
    assert.equal(
      await drawer.getByRole('button', { name: /^(Rotate|Enable|Disable|Destroy|Schedule destruction)$/ }).count(),
      0,
    );
    assert.equal(await drawer.getByTestId('key-public-pem').count(), 0);
    await screenshot(page, `key-destroyed-${engine}`);

    const [destroyed] = await listKeys();
    assert.equal(destroyed?.status, 'destroyed');
    const detail = await server.request({ method: 'GET', url: `/api/v1/keys/${destroyed!.id}` });
    const versions = detail.json<{ versions: { destroyedAt: string | null }[] }>().versions;
    assert.equal(versions.length, 2);
    assert.ok(versions.every((version) => version.destroyedAt !== null));
    const actions = await server.request({ method: 'GET', url: '/api/v1/audit/events?action=key.*' });
    assert.deepEqual(
      actions
        .json<{ items: { action: string }[] }>()
        .items.map((event) => event.action)
        .reverse(),
      [
        'key.create',
        'key.rotate',
        'key.update',
        'key.update',
        'key.destruction.schedule',
        'key.destruction.cancel',
        'key.destruction.schedule',
        'key.destroy',
      ],
    );
  });

  it('ran without page errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });
}

interface StoredKey {
  id: string;
  name: string;
  status: string;
  latestVersion: number;
  destroyAfter: string | null;
  rotationPeriodDays: number | null;
  minDecryptionVersion: number;
  policy: { roles: string[]; operations: string[] };
}

async function checkboxLabels(scope: Locator, group: string): Promise<string[]> {
  return scope
    .getByRole('group', { name: group })
    .getByRole('checkbox')
    .evaluateAll((boxes) => boxes.map((box) => (box as HTMLInputElement).value));
}

/** Opens the schedule-destruction dialog from the key drawer and confirms it with a waiting period. */
async function scheduleDestruction(drawer: Locator, days: string): Promise<void> {
  await drawer.getByRole('button', { name: 'Schedule destruction' }).click();
  const dialog = drawer.page().getByRole('dialog', { name: 'Schedule destruction' });
  await dialog.getByLabel('Waiting period in days').fill(days);
  await dialog.getByRole('button', { name: 'Schedule destruction' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Drawers and modals slide and fade in: shoot once every transition has settled.
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished)));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
