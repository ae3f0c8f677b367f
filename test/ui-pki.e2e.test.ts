import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { browserSuite, openBrowserPage, signIn, switchTo } from './support/browser.js';
import type { EngineName } from './support/engines.js';
import { opensslCsr } from './support/pki.js';
import { PARTICIPANT_A, startTestServer, type TestServer } from './support/server.js';

const SCREENSHOT_DIR = fileURLToPath(new URL('../.tmp/ui-pki/', import.meta.url));
const STEP = { timeout: 60_000 };
const CHECK_IDS = [
  'CSR_SIGNATURE_VALID',
  'CSR_SIGNATURE_ALGORITHM',
  'CSR_PUBLIC_KEY_TYPE',
  'CSR_PUBLIC_KEY_LENGTH',
  'CSR_MANDATORY_DISTINGUISHED_NAME',
  'CSR_COMMON_NAME',
  'CSR_SUBJECT_ALT_NAMES',
  'CSR_REQUESTED_USAGES',
  'CSR_KEY_NOT_REUSED',
];

browserSuite('PKI UI', pkiSuite);

interface StoredCertificate {
  id: string;
  serial: string;
  participantId: string;
  profile: string;
  status: string;
  revocationReason: string | null;
}

function pkiSuite(engine: EngineName): void {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let pageProblems: string[] = [];
  let certificate: StoredCertificate;

  before(async () => {
    server = await startTestServer(engine);
    const origin = await server.server.listen({ host: '127.0.0.1', port: 0 });
    ({ browser, page, problems: pageProblems } = await openBrowserPage(origin));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const api = async <T>(url: string): Promise<T> => {
    const response = await server.request({ method: 'GET', url, as: 'security-officer' });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<T>();
  };
  const checkStatuses = (scope: Locator) =>
    scope
      .locator('[data-check]')
      .evaluateAll((badges) => badges.map((badge) => [badge.dataset.check, badge.dataset.status]));

  it('an officer creates a root CA and an issuing CA under it', STEP, async () => {
    await page.goto('/certificates/authorities');
    await signIn(page, server.tokens['security-officer']);
    await page.getByRole('heading', { name: 'Certificate authorities' }).waitFor();
    await page.getByText('No CA yet').waitFor();

    await page.getByRole('button', { name: 'Create CA' }).click();
    let form = page.getByRole('dialog', { name: 'Create CA' });
    assert.equal(await form.getByLabel('Role').inputValue(), 'root', 'without a parent only a root can be made');
    await form.getByLabel('Key type').selectOption('ec-p384');
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('scheme-root');
    await form.getByRole('textbox', { name: 'Common name', exact: true }).fill('Scheme Root CA');
    await form.getByRole('textbox', { name: 'Organization (optional)' }).fill('Scheme');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: 'scheme-root' }).waitFor();

    await page.getByRole('button', { name: 'Create CA' }).click();
    form = page.getByRole('dialog', { name: 'Create CA' });
    await form.getByLabel('Role').selectOption('issuing');
    await form.getByLabel('Key type').selectOption('ec-p256');
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('scheme-issuing');
    await form.getByRole('textbox', { name: 'Common name', exact: true }).fill('Scheme Issuing CA');
    await form.getByRole('textbox', { name: 'Organization (optional)' }).fill('Scheme');
    assert.deepEqual(await form.getByLabel('Parent CA').locator('option').allTextContents(), ['scheme-root (root)']);
    await form.getByRole('textbox', { name: 'Permitted DNS subtrees (optional)' }).fill('scheme.local');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'hidden' });

    const issuingRow = page.getByRole('row').filter({ hasText: 'scheme-issuing' });
    await issuingRow.waitFor();
    const cells = await issuingRow.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(0, 4), ['scheme-issuing', 'issuing', 'scheme-root', 'ec-p256']);
    assert.match(cells[4]!, /CN=Scheme Issuing CA/);
    const { items } = await api<{ items: { id: string; name: string; parentId: string | null; role: string }[] }>(
      '/api/v1/pki/cas',
    );
    const root = items.find((ca) => ca.name === 'scheme-root');
    assert.deepEqual(
      items.map(({ name, role, parentId }) => ({ name, role, parentId })).sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'scheme-issuing', role: 'issuing', parentId: root!.id },
        { name: 'scheme-root', role: 'root', parentId: null },
      ],
    );

    // The download links are the public URLs relying parties use, answered without a session.
    const certHref = await issuingRow
      .getByRole('link', { name: 'CA certificate of scheme-issuing', exact: true })
      .getAttribute('href');
    const crlHref = await issuingRow.getByRole('link', { name: 'CRL of scheme-issuing (DER)' }).getAttribute('href');
    const cert = await fetch(new URL(certHref!, page.url()));
    assert.equal(cert.status, 200);
    assert.match(await cert.text(), /^-----BEGIN CERTIFICATE-----/);
    const crl = await fetch(new URL(crlHref!, page.url()));
    assert.equal(crl.headers.get('content-type'), 'application/pkix-crl');
    await screenshot(page, `cas-${engine}`);
  });

  it(
    'a participant checks a CSR for another participant: the CN check is INVALID and nothing is queued',
    STEP,
    async () => {
      await switchTo(page, server.tokens.participant, 'Enrolment queue');
      await page.getByRole('button', { name: 'Submit CSR' }).click();
      const form = page.getByRole('dialog', { name: 'Submit CSR' });
      assert.equal(await form.getByRole('textbox', { name: 'Participant' }).inputValue(), PARTICIPANT_A);
      const foreign = opensslCsr({ key: 'p256', subject: '/O=Wallet B/CN=dfsp-b' });
      await form.getByLabel('Profile').selectOption('mtls-client');
      await form.getByRole('textbox', { name: 'CSR (PEM)' }).fill(foreign.csrPem);
      await form.getByRole('button', { name: 'Check' }).click();
      const report = form.getByTestId('csr-report');
      await report.getByText('The CSR fails a check').waitFor();
      assert.deepEqual(
        (await checkStatuses(report)).find(([id]) => id === 'CSR_COMMON_NAME'),
        ['CSR_COMMON_NAME', 'INVALID'],
      );
      await form.getByRole('button', { name: 'Submit', exact: true }).click();
      await form.getByText('CSR not submitted').waitFor();
      await form.getByRole('button', { name: 'Cancel' }).click();
      await form.waitFor({ state: 'hidden' });
      assert.equal((await api<{ total: number }>('/api/v1/pki/enrolments')).total, 0);
    },
  );

  it('a participant submits a CSR made with openssl; it waits in the queue with its nine checks', STEP, async () => {
    const csr = opensslCsr({ key: 'p256', subject: `/O=Bank A/CN=${PARTICIPANT_A}` });
    await page.getByRole('button', { name: 'Submit CSR' }).click();
    const form = page.getByRole('dialog', { name: 'Submit CSR' });
    await form.getByLabel('Profile').selectOption('mtls-client');
    await form.getByRole('textbox', { name: 'CSR (PEM)' }).fill(csr.csrPem);
    await form.getByRole('button', { name: 'Check' }).click();
    await form.getByTestId('csr-report').getByText('Every check passes').waitFor();
    await form.getByRole('button', { name: 'Submit', exact: true }).click();
    await form.waitFor({ state: 'hidden' });

    const card = page.getByRole('region', { name: /^Enrolment csr_/ });
    await card.waitFor();
    const statuses = await checkStatuses(card);
    assert.deepEqual(
      statuses.map(([id]) => id),
      CHECK_IDS,
    );
    assert.deepEqual(
      statuses.filter(([, status]) => status !== 'VALID'),
      [
        ['CSR_SUBJECT_ALT_NAMES', 'NOT_AVAILABLE'],
        ['CSR_REQUESTED_USAGES', 'NOT_AVAILABLE'],
      ],
    );
    assert.match(await card.getByTestId('enrolment-summary').innerText(), /approvals 0 of 1/);
    assert.equal(
      await card.getByRole('button', { name: /^(Approve|Reject)$/ }).count(),
      0,
      'a participant cannot decide',
    );
    await screenshot(page, `enrolment-pending-${engine}`);
  });

  it(
    'an officer approves it after confirmation; the certificate is listed with a valid expiry badge',
    STEP,
    async () => {
      await switchTo(page, server.tokens['security-officer'], 'Enrolment queue');
      const card = page.getByRole('region', { name: /^Enrolment csr_/ });
      await card.getByRole('button', { name: 'Approve' }).click();
      const confirm = page.getByRole('dialog', { name: 'Approve enrolment' });
      assert.match(await confirm.innerText(), /A mtls-client certificate is issued to dfsp-a/);
      await confirm.getByRole('button', { name: 'Approve' }).click();
      await confirm.waitFor({ state: 'hidden' });
      await page.getByText('No enrolment here.').waitFor();

      // The hub also holds an ocsp-signing certificate of its own, issued with the issuing CA.
      const { items } = await api<{ items: StoredCertificate[] }>(
        `/api/v1/pki/certificates?participantId=${PARTICIPANT_A}`,
      );
      assert.equal(items.length, 1);
      certificate = items[0]!;
      assert.deepEqual(
        [certificate.participantId, certificate.profile, certificate.status],
        [PARTICIPANT_A, 'mtls-client', 'valid'],
      );

      await page.getByRole('link', { name: 'Certificates', exact: true }).click();
      const row = page.getByTestId(`certificate-row-${certificate.id}`);
      await row.waitFor();
      const badge = row.getByTestId('expiry-badge');
      assert.equal(await badge.getAttribute('data-expiry'), 'valid');
      assert.match(await badge.innerText(), /^valid 39[67] d$/i);
      assert.equal((await row.getByRole('cell').nth(3).innerText()).trim(), certificate.serial);
    },
  );

  it('shows the certificate as expiring once fewer than 30 days remain, and in the expiry watch', STEP, async () => {
    // Time moves on: the certificate now expires in ten days, as the store sees it.
    const soon = new Date(Date.now() + 10 * 86_400_000 + 3_600_000).toISOString();
    await server.app.rawSql(`update pki_certificates set not_after = '${soon}' where id = '${certificate.id}'`);
    await page.reload();
    const badge = page.getByTestId(`certificate-row-${certificate.id}`).getByTestId('expiry-badge');
    await badge.and(page.locator('[data-expiry="expiring"]')).waitFor();
    assert.match(await badge.innerText(), /^expires in 10 d$/i);

    await page.getByRole('link', { name: 'Expiry watch' }).click();
    const groups = page.getByRole('table', { name: 'Expiring per participant and profile' });
    await groups.waitFor();
    assert.deepEqual((await groups.getByRole('row').nth(1).getByRole('cell').allTextContents()).slice(0, 3), [
      PARTICIPANT_A,
      'mtls-client',
      '1',
    ]);
    await page.getByLabel('Expiring within (days)').selectOption('7');
    await page.getByText('No valid certificate expires within 7 days.').waitFor();
    await screenshot(page, `expiry-watch-${engine}`);
  });

  it('the participant opens its certificate (PEM and chain) and revokes it for keyCompromise', STEP, async () => {
    await switchTo(page, server.tokens.participant, 'Certificates');
    await page.getByRole('button', { name: `Open certificate ${certificate.serial}` }).click();
    const detail = page.getByTestId('certificate-detail');
    await detail.waitFor();
    assert.match(
      (await detail.getByTestId('certificate-pem').textContent()) ?? '',
      /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/,
    );
    const chain = (await detail.getByTestId('certificate-chain').textContent()) ?? '';
    assert.equal(chain.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2, 'issuing CA and root');

    const drawer = page.getByRole('dialog', { name: `Certificate ${certificate.serial}` });
    await drawer.getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke certificate' });
    const reasons = await confirm.getByLabel('Reason').locator('option').allTextContents();
    assert.ok(!reasons.includes('cACompromise'), 'hub-only reasons are not offered to a participant');
    await confirm.getByLabel('Reason').selectOption('keyCompromise');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await detail
      .getByRole('alert')
      .filter({ hasText: /^Revoked/ })
      .waitFor();
    assert.equal(await drawer.getByRole('button', { name: 'Revoke' }).count(), 0);
    assert.match(await detail.innerText(), /^Revoked\t\d{4}-\d\d-\d\d [\d:]+ UTC \(keyCompromise\)$/m);
    await screenshot(page, `certificate-revoked-${engine}`);

    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    const row = page.getByTestId(`certificate-row-${certificate.id}`);
    await row.getByText('revoked').waitFor();
    const stored = await api<{ certificate: StoredCertificate }>(`/api/v1/pki/certificates/${certificate.id}`);
    assert.deepEqual([stored.certificate.status, stored.certificate.revocationReason], ['revoked', 'keyCompromise']);
  });

  it("the issuing CA's public CRL lists the serial with the reason", STEP, async () => {
    const { items } = await api<{ items: { id: string; name: string }[] }>('/api/v1/pki/cas');
    const issuing = items.find((ca) => ca.name === 'scheme-issuing')!;
    const crl = await fetch(new URL(`/pki/crl/${issuing.id}.pem`, page.url()));
    const text = execFileSync('openssl', ['crl', '-noout', '-text'], { input: await crl.text() }).toString();
    assert.match(text, new RegExp(`Serial Number: ${certificate.serial}`, 'i'));
    assert.match(text, /Key Compromise/);
  });

  it('ran without page errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished)));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
