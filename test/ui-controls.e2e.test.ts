import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, openBrowserPage } from './support/browser.js';
import type { EngineName } from './support/engines.js';
import { startTestServer, type TestServer } from './support/server.js';

const SCREENSHOT_DIR = fileURLToPath(new URL('../.tmp/ui-controls/', import.meta.url));
const STEP = { timeout: 60_000 };
const MOJALOOP = 'urn:trustloop:catalog:mojaloop-security:1.0';
const TITLE = 'Hub Mojaloop baseline';
const EVIDENCE_TEXT = 'Firewall rule review 2025-Q1: 42 rules checked, none stale.\n';

browserSuite('controls UI', controlsSuite);

function controlsSuite(engine: EngineName): void {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let pageProblems: string[] = [];
  let assessmentId = '';

  before(async () => {
    server = await startTestServer(engine);
    const origin = await server.server.listen({ host: '127.0.0.1', port: 0 });
    ({ browser, page, problems: pageProblems } = await openBrowserPage(origin));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const row = (ref: string) => page.getByTestId(`item-${ref}`);
  const cells = (ref: string) => row(ref).getByRole('cell').allTextContents();
  const api = async <T>(url: string): Promise<T> => {
    const response = await server.request({ method: 'GET', url, as: 'compliance-officer' });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<T>();
  };

  it('browses a catalog: search the tree, open a requirement and follow a mapping', STEP, async () => {
    await page.goto('/controls/catalogs');
    await page.getByLabel('API token').fill(server.tokens['compliance-officer']);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Control catalogs' }).waitFor();
    await page.getByLabel('Catalog').selectOption(MOJALOOP);
    await page
      .getByTestId('catalog-summary')
      .filter({ hasText: /\d+ requirements, \d+ assessable/ })
      .waitFor();

    const tree = page.getByRole('tree', { name: 'Requirements' });
    await page.getByRole('button', { name: 'Requirement LOG', exact: true }).waitFor();
    assert.equal(await tree.getByRole('button', { name: 'Requirement LOG-1', exact: true }).count(), 0);
    await page.getByRole('button', { name: 'Expand LOG' }).click();
    await tree.getByRole('button', { name: 'Requirement LOG-1', exact: true }).click();
    const detail = page.getByTestId('requirement-detail');
    await detail.getByRole('heading', { name: /^LOG-1 / }).waitFor();
    const mapping = detail.getByRole('table', { name: 'Mappings' }).getByRole('row').filter({ hasText: '10.2.1.6' });
    assert.match(await mapping.innerText(), /this intersects it/);
    await mapping.getByRole('button', { name: '10.2.1.6' }).click();
    await detail.getByRole('heading', { name: /^10\.2\.1\.6 / }).waitFor();
    assert.match(page.url(), /catalog=urn%3Atrustloop%3Acatalog%3Apci-dss/);

    await page.getByLabel('Catalog').selectOption(MOJALOOP);
    await page.getByLabel('Search requirements').fill('signature');
    await tree.getByRole('button', { name: 'Requirement SIG-4', exact: true }).waitFor();
    const shown = (await tree.getByRole('treeitem').allInnerTexts()).map((text) => text.trim().split(/\s/)[0]);
    assert.ok(shown.includes('SIG') && shown.includes('SIG-1'), `matches and their section: ${shown.join(', ')}`);
    assert.ok(!shown.includes('SIG-2'), 'a requirement that does not match is hidden');
    assert.ok(!shown.some((ref) => ref?.startsWith('LOG')), 'so is a section without a match');
  });

  it('edits the responsibility grid scheme-wide and offers its CSV', STEP, async () => {
    await page.getByRole('link', { name: 'Responsibility matrix' }).click();
    await page.getByLabel('Catalog').selectOption(MOJALOOP);
    const grid = page.getByTestId('responsibility-grid');
    await grid.waitFor();
    await page.getByRole('radio', { name: 'SIG-1 hub' }).click();
    await page.getByTestId('responsibility-SIG-1').getByRole('cell', { name: 'scheme' }).waitFor();

    await page.getByRole('radio', { name: 'TLS-1 not-applicable' }).click();
    const dialog = page.getByRole('dialog', { name: 'TLS-1 not applicable' });
    await dialog.getByLabel('Why it does not apply').fill('Terminated by the scheme gateway');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('responsibility-TLS-1').getByText('Terminated by the scheme gateway').waitFor();

    const matrix = await api<{ items: { ref: string; party: string; origin: string; reason: string | null }[] }>(
      `/api/v1/controls/catalogs/${MOJALOOP}/responsibility`,
    );
    const byRef = new Map(matrix.items.map((entry) => [entry.ref, entry]));
    assert.deepEqual(byRef.get('SIG-1'), { ...byRef.get('SIG-1'), party: 'hub', origin: 'scheme' });
    assert.deepEqual(byRef.get('TLS-1'), {
      ...byRef.get('TLS-1'),
      party: 'not-applicable',
      reason: 'Terminated by the scheme gateway',
    });
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    assert.match(csv.split('\r\n')[0] ?? csv, /^ref,title,party/);
    assert.match(csv, /\nTLS-1,.*,not-applicable,/);
    await screenshot(page, `responsibility-${engine}`);
  });

  it('creates an assessment of the hub against the Mojaloop catalog', STEP, async () => {
    await page.getByRole('link', { name: 'Assessments' }).click();
    await page.getByText('No assessment yet.').waitFor();
    await page.getByRole('button', { name: 'New assessment' }).click();
    const form = page.getByRole('dialog', { name: 'New assessment' });
    await form.getByLabel('Title').fill(TITLE);
    await form.getByLabel('Catalog').selectOption(MOJALOOP);
    await form.getByLabel('Scope').selectOption('hub');
    await form.getByLabel('Due date (optional)').fill('2030-06-30');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/controls\/assessments\/asm_[a-z2-7]{16}$/);
    assessmentId = page.url().split('/').pop()!;
    await page.getByRole('heading', { name: TITLE }).waitFor();
    assert.equal(await page.getByTestId('assessment-status').textContent(), 'open');
    assert.equal(await page.getByTestId('coverage').innerText(), '0%');
    const [, , result, basis, party, , due] = await cells('SIG-1');
    assert.deepEqual([result, basis, party, due], ['not-assessed', 'manual', 'hub', '2030-06-30']);
    assert.deepEqual((await cells('TLS-1')).slice(2, 4), ['not-applicable', 'responsibility']);
  });

  it('records one result in the editor and two at once with bulk edit', STEP, async () => {
    await page.getByRole('button', { name: 'Edit SIG-1' }).click();
    const editor = page.getByRole('form', { name: 'Requirement SIG-1' });
    await editor.getByLabel('Result').selectOption('compliant');
    await editor.getByLabel('Justification').fill('Gateway signs every outgoing request; sampled 20 messages.');
    await editor.getByLabel('Assessor').fill('C. Officer');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.waitFor({ state: 'hidden' });
    await row('SIG-1').getByText('compliant', { exact: true }).waitFor();

    await page.getByLabel('Search').fill('SIG-');
    await page
      .getByTestId('item-count')
      .filter({ hasText: /^\d+ of \d+ requirements$/ })
      .waitFor();
    assert.equal(await row('LOG-1').count(), 0, 'the filter hides other requirements');
    await page.getByRole('checkbox', { name: 'Select SIG-2' }).check();
    await page.getByRole('checkbox', { name: 'Select SIG-3' }).check();
    const bulk = page.getByTestId('bulk-edit');
    assert.match(await bulk.innerText(), /2 selected/);
    await bulk.getByLabel('Set result').selectOption('non-compliant');
    await bulk.getByLabel('Set justification').fill('Destination header not protected');
    await bulk.getByRole('button', { name: 'Apply to selected' }).click();
    await bulk.waitFor({ state: 'hidden' });
    for (const ref of ['SIG-2', 'SIG-3']) {
      await row(ref).getByText('non-compliant', { exact: true }).waitFor();
      await row(ref).getByText('Destination header not protected').waitFor();
    }
    await page.getByLabel('Result', { exact: true }).selectOption('non-compliant');
    assert.equal(await page.getByTestId('item-count').innerText(), `2 of ${await itemTotal()} requirements`);
    await page.getByLabel('Result', { exact: true }).selectOption('');
    await page.getByLabel('Search').fill('');
  });

  it('uploads a file, adds a link and attaches the file to a requirement', STEP, async () => {
    const upload = page.getByRole('form', { name: 'Upload evidence' });
    await upload.locator('input[type="file"]').setInputFiles({
      name: 'firewall-review.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(EVIDENCE_TEXT),
    });
    await upload.getByLabel('Title').fill('Firewall review');
    await upload.getByRole('button', { name: 'Upload' }).click();
    const evidence = page.getByTestId('evidence-list');
    await evidence.getByRole('link', { name: 'Firewall review' }).waitFor();

    const link = page.getByRole('form', { name: 'Add evidence link' });
    await link.getByLabel('Link title').fill('Signing runbook');
    await link.getByLabel('URL').fill('https://wiki.example.org/runbooks/signing');
    await link.getByRole('button', { name: 'Add link' }).click();
    await evidence.getByRole('link', { name: 'Signing runbook' }).waitFor();

    await page.getByRole('button', { name: 'Edit SIG-1' }).click();
    const editor = page.getByRole('form', { name: 'Requirement SIG-1' });
    await editor.getByRole('checkbox', { name: 'file: Firewall review' }).check();
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.waitFor({ state: 'hidden' });
    await row('SIG-1').getByRole('cell', { name: '1', exact: true }).waitFor();

    const files = await api<{ items: { kind: string; sha256: string | null; sizeBytes: number | null }[] }>(
      '/api/v1/controls/evidence?participantId=hub&kind=file',
    );
    assert.equal(files.items.length, 1);
    assert.equal(files.items[0]!.sizeBytes, Buffer.byteLength(EVIDENCE_TEXT));
    assert.match(files.items[0]!.sha256 ?? '', /^[0-9a-f]{64}$/);
  });

  it('runs the collectors: a key without a rotation period fails PKI-11 by itself', STEP, async () => {
    const key = await server.request({
      method: 'POST',
      url: '/api/v1/keys',
      as: 'admin',
      payload: { name: 'hub-signer', type: 'ec-p256', purpose: 'sign' },
    });
    assert.equal(key.statusCode, 201, key.body);
    await page.getByRole('button', { name: 'Run collectors' }).click();
    await page
      .getByTestId('collector-run')
      .filter({ hasText: /Collectors recorded \d+ evidence records/ })
      .waitFor();
    await page.getByTestId('evidence-list').getByText('CPM key strength and rotation').first().waitFor();

    await row('PKI-11').getByText('non-compliant', { exact: true }).waitFor();
    assert.deepEqual((await cells('PKI-11')).slice(2, 4), ['non-compliant', 'collector']);
    assert.match((await cells('PKI-11'))[5] ?? '', /cpm\.key-rotation \(fail\)/);
    await row('LOG-9').getByText('collector', { exact: true }).waitFor();
    assert.deepEqual((await cells('LOG-9')).slice(2, 4), ['compliant', 'collector']);
    await screenshot(page, `workspace-${engine}`);
  });

  it('signs off: the assessment freezes into snapshot v1 and refuses edits', STEP, async () => {
    await page.getByRole('button', { name: 'Sign off' }).click();
    const confirm = page.getByRole('dialog', { name: 'Sign off assessment' });
    await confirm.getByRole('button', { name: 'Sign off' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByTestId('assessment-status').filter({ hasText: 'signed-off v1' }).waitFor();
    await page.getByTestId('signed-off').waitFor();
    const snapshot = page.getByTestId('snapshot-v1');
    await snapshot.waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit SIG-1' }).count(), 0);
    assert.equal(await page.getByRole('form', { name: 'Upload evidence' }).count(), 0);
    await page.getByRole('button', { name: 'Reopen' }).waitFor();

    const { items } = await api<{
      items: {
        version: number;
        summary: { counts: Record<string, number>; coverage: number };
        items: { ref: string; result: string; evidenceIds: string[] }[];
      }[];
    }>(`/api/v1/controls/assessments/${assessmentId}/snapshots`);
    assert.equal(items.length, 1);
    const frozen = new Map(items[0]!.items.map((item) => [item.ref, item]));
    assert.equal(frozen.get('SIG-1')?.result, 'compliant');
    assert.equal(frozen.get('SIG-1')?.evidenceIds.length, 1);
    assert.equal(frozen.get('SIG-2')?.result, 'non-compliant');
    assert.equal(frozen.get('PKI-11')?.result, 'non-compliant');
    assert.equal(items[0]!.summary.counts['non-compliant'], 3);
    assert.match(await snapshot.innerText(), new RegExp(`${items[0]!.summary.coverage}%`));
  });

  it('shows the gap dashboard: heat map, coverage, ranked gaps and the trend', STEP, async () => {
    await page.getByRole('link', { name: 'Gap report' }).click();
    await page.waitForURL(/\/controls\/gaps\?assessment=asm_/);
    const heat = page.getByTestId(`heat-hub-${MOJALOOP}`);
    await heat.waitFor();
    const report = await api<{ summary: { coverage: number; compliance: number }; gaps: { ref: string }[] }>(
      `/api/v1/controls/assessments/${assessmentId}/gaps`,
    );
    assert.match(await heat.innerText(), new RegExp(`${report.summary.compliance}% compliant`));
    assert.match(await heat.innerText(), /3 non-compliant/);
    const view = page.getByTestId('gap-report');
    await view.getByRole('heading', { name: TITLE }).waitFor();
    assert.equal(await view.getByTestId('coverage').innerText(), `${report.summary.coverage}%`);
    assert.equal(await view.getByTestId('count-non-compliant').innerText(), 'non-compliant: 3');

    const ranked = view.getByRole('table', { name: 'Ranked gaps' }).locator('tbody tr');
    assert.equal(await ranked.count(), report.gaps.length);
    const top = await Promise.all([0, 1, 2].map((index) => ranked.nth(index).getByRole('cell').nth(1).innerText()));
    assert.deepEqual(
      top.map((text) => text.split(' ')[0]).sort(),
      ['PKI-11', 'SIG-2', 'SIG-3'],
      'the non-compliant requirements rank first',
    );
    assert.deepEqual(
      top.map((text) => text.split(' ')[0]),
      report.gaps.slice(0, 3).map((gap) => gap.ref),
    );
    await view.getByTestId('trend').locator('text').filter({ hasText: 'v1' }).waitFor();
    await screenshot(page, `gaps-${engine}`);
  });

  it('ran without page errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });

  async function itemTotal(): Promise<number> {
    const assessment = await api<{ items: unknown[] }>(`/api/v1/controls/assessments/${assessmentId}`);
    return assessment.items.length;
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Let transitions settle; one cancelled by a re-render (a refetch replacing a bar) rejects, which is fine.
  await page.evaluate(() =>
    Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))),
  );
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
