import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, openBrowserPage } from './support/browser.js';
import type { EngineName } from './support/engines.js';
import { PARTICIPANT_B, startTestServer, type TestServer } from './support/server.js';

const STEP = { timeout: 60_000 };
const PCI = 'urn:trustloop:catalog:pci-dss:4.0.1';
const MOJALOOP = 'urn:trustloop:catalog:mojaloop-security:1.0';

const cisoLibrary = (parent: string) =>
  [
    'urn: urn:intuitem:risk:library:scheme-ops',
    'ref_id: scheme-ops',
    'name: Scheme operations',
    'version: 3',
    'objects:',
    '  framework:',
    '    urn: urn:intuitem:risk:framework:scheme-ops',
    '    ref_id: scheme-ops',
    '    name: Scheme operations',
    '    requirement_nodes:',
    '      - urn: urn:intuitem:risk:req_node:scheme-ops:ops',
    '        ref_id: OPS',
    '        name: Operations',
    '        assessable: false',
    '      - urn: urn:intuitem:risk:req_node:scheme-ops:ops-1',
    '        ref_id: OPS-1',
    `        parent_urn: ${parent}`,
    '        name: Change freeze before settlement windows',
    '        assessable: true',
    '',
  ].join('\n');

browserSuite('controls UI: imports, hosting, exports, suggestions', suite);

function suite(engine: EngineName): void {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  before(async () => {
    server = await startTestServer(engine);
    const origin = await server.server.listen({ host: '127.0.0.1', port: 0 });
    ({ browser, page, problems } = await openBrowserPage(origin));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const api = async <T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object): Promise<T> => {
    const response = await server.request({
      method,
      url,
      as: 'compliance-officer',
      ...(payload && { payload: payload as Record<string, unknown> }),
    });
    assert.ok(response.statusCode < 300, `${method} ${url}: ${response.body}`);
    return response.json<T>();
  };

  it('imports a CISO Assistant library from a file, after naming what is wrong with a broken one', STEP, async () => {
    await page.goto('/controls/catalogs');
    await page.getByLabel('API token').fill(server.tokens['compliance-officer']);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Control catalogs' }).waitFor();

    await page.getByRole('button', { name: 'Import catalog' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a catalog' });
    const file = dialog.locator('input[type=file]');
    await file.setInputFiles({
      name: 'broken.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(cisoLibrary('urn:intuitem:risk:req_node:scheme-ops:nowhere')),
    });
    assert.equal(await dialog.getByRole('radio', { name: 'CISO Assistant library (YAML)' }).isChecked(), true);
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByText(/OPS-1\) names missing parent 'urn:intuitem:risk:req_node:scheme-ops:nowhere'/).waitFor();
    assert.equal((await api<{ items: unknown[] }>('GET', '/api/v1/controls/catalogs')).items.length, 3);

    await file.setInputFiles({
      name: 'scheme-ops.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(cisoLibrary('urn:intuitem:risk:req_node:scheme-ops:ops')),
    });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('catalog-summary').filter({ hasText: '2 requirements, 1 assessable · imported' }).waitFor();
    await page.getByRole('button', { name: 'Expand all' }).click();
    await page.getByRole('button', { name: 'Requirement OPS-1', exact: true }).waitFor();
    const catalogs = await api<{ items: { name: string; origin: string }[] }>('GET', '/api/v1/controls/catalogs');
    assert.ok(catalogs.items.some((c) => c.name === 'Scheme operations' && c.origin === 'imported'));
    const [event] = await server.app.audit.list({ limit: 1, action: 'controls.catalog.import' });
    assert.equal((event!.details as { format: string }).format, 'ciso-assistant');
  });

  it('marks a participant as hosted from the responsibility page and downloads the XLSX and PDF', STEP, async () => {
    await page.getByRole('link', { name: 'Responsibility matrix' }).click();
    await page.getByLabel('Catalog').selectOption(PCI);
    await page.getByTestId('responsibility-grid').waitFor();
    await page.getByLabel('Scope').selectOption(PARTICIPANT_B);
    const hosting = page.getByRole('switch', { name: /Runs on the hub's hosted service/ });
    assert.equal(await hosting.isChecked(), false);
    await hosting.click({ force: true });
    await page.getByTestId('hosted-note').waitFor();
    await page.getByTestId('responsibility-1.1.1').getByRole('cell', { name: 'hosted', exact: true }).waitFor();
    const matrix = await api<{ hosted: boolean; items: { ref: string; party: string; origin: string }[] }>(
      'GET',
      `/api/v1/controls/catalogs/${PCI}/responsibility?participantId=${PARTICIPANT_B}`,
    );
    assert.equal(matrix.hosted, true);
    assert.deepEqual(
      matrix.items.find((entry) => entry.ref === '1.1.1'),
      { ...matrix.items.find((entry) => entry.ref === '1.1.1'), party: 'hub', origin: 'hosted' },
    );

    await page.getByLabel('Scope').selectOption('hub');
    await page.getByTestId('responsibility-grid').waitFor();
    assert.equal(await page.getByRole('switch').count(), 0, 'the hub cannot be hosted by itself');
    await page.getByLabel('Scope').selectOption('');

    for (const [name, type, magic] of [
      ['Export XLSX', 'spreadsheetml.sheet', 'PK'],
      ['Export PDF', 'application/pdf', '%PDF-'],
    ] as const) {
      const href = await page.getByRole('link', { name }).getAttribute('href');
      const [status, contentType, head] = await page.evaluate(async (url) => {
        const response = await fetch(url!);
        const bytes = new Uint8Array(await response.arrayBuffer());
        return [response.status, response.headers.get('content-type'), String.fromCharCode(...bytes.slice(0, 5))];
      }, href);
      assert.equal(status, 200, name);
      assert.match(contentType ?? '', new RegExp(type.replace('.', '\\.')));
      assert.ok(head.startsWith(magic), `${name} starts with ${magic}`);
    }
  });

  it('shows a suggestion from a mapped assessment and accepts it with one click', STEP, async () => {
    const mojaloop = await api<{ assessment: { id: string } }>('POST', '/api/v1/controls/assessments', {
      catalogUrn: MOJALOOP,
      participantId: 'hub',
      title: 'Hub Mojaloop standards',
    });
    await api('PATCH', `/api/v1/controls/assessments/${mojaloop.assessment.id}/items`, {
      items: [{ ref: 'LOG-13', result: 'compliant' }],
    });
    const pci = await api<{ assessment: { id: string } }>('POST', '/api/v1/controls/assessments', {
      catalogUrn: PCI,
      participantId: 'hub',
      title: 'Hub PCI DSS',
    });
    await page.goto(`/controls/assessments/${pci.assessment.id}`);
    await page.getByRole('heading', { name: 'Hub PCI DSS' }).waitFor();
    await page.getByLabel('Search').fill('10.3.1');
    const hint = page.getByTestId('suggestion-10.3.1');
    await hint.waitFor();
    assert.match(
      await hint.innerText(),
      /Suggested:\s*compliant\s*equal to Mojaloop .*LOG-13, compliant in “Hub Mojaloop standards”/i,
    );
    await hint.getByRole('button', { name: 'Accept 10.3.1' }).click();
    await hint.waitFor({ state: 'detached' });
    const row = page.getByTestId('item-10.3.1');
    await row
      .getByText(/^Accepted from mapping urn:trustloop:mapping:mojaloop-security-1\.0:pci-dss-4\.0\.1/)
      .waitFor();
    assert.deepEqual((await row.getByRole('cell').allTextContents()).slice(2, 4), ['compliant', 'manual']);

    const stored = await api<{ items: { ref: string; result: string; justification: string }[] }>(
      'GET',
      `/api/v1/controls/assessments/${pci.assessment.id}`,
    );
    const item = stored.items.find((entry) => entry.ref === '10.3.1')!;
    assert.equal(item.result, 'compliant');
    assert.match(item.justification, new RegExp(`in assessment ${mojaloop.assessment.id}`));
    const [event] = await server.app.audit.list({ limit: 1, action: 'controls.suggestion.accept' });
    assert.equal(event!.resource.id, pci.assessment.id);
    assert.deepEqual(problems, []);
  });
}
