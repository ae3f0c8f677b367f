import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, openBrowserPage, signIn, switchTo } from './support/browser.js';
import type { EngineName } from './support/engines.js';
import { officer } from './support/pki-server.js';
import { opensslSelfSigned } from './support/pki.js';
import { PARTICIPANT_A, startTestServer, type TestServer } from './support/server.js';

const SCREENSHOT_DIR = fileURLToPath(new URL('../.tmp/ui-pki-admin/', import.meta.url));
const STEP = { timeout: 60_000 };

browserSuite('PKI UI: CA revocation, CA requests under an external root, participant domains', adminSuite);

interface StoredCa {
  id: string;
  name: string;
  role: string;
  parentId: string | null;
  source: string;
  status: string;
  serial: string;
  revokedAt: string | null;
  revocationReason: string | null;
  crlNumber: number;
  certificatePem: string;
}

function adminSuite(engine: EngineName): void {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let pageProblems: string[] = [];
  let dir: string;
  let rootId: string;
  let issuingId: string;

  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

  before(async () => {
    server = await startTestServer(engine);
    const origin = await server.server.listen({ host: '127.0.0.1', port: 0 });
    ({ browser, page, problems: pageProblems } = await openBrowserPage(origin));
    dir = mkdtempSync(path.join(tmpdir(), 'trustloop-ui-pki-admin-'));
    const root = await server.app.pki.createCa(officer, {
      name: 'scheme-root',
      role: 'root',
      keyType: 'ec-p384',
      commonName: 'Scheme Root CA',
      organization: 'Scheme',
    });
    const issuing = await server.app.pki.createCa(officer, {
      name: 'scheme-issuing',
      role: 'issuing',
      parentId: root.id,
      keyType: 'ec-p256',
      commonName: 'Scheme Issuing CA',
      organization: 'Scheme',
    });
    rootId = root.id;
    issuingId = issuing.id;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const api = async <T>(url: string): Promise<T> => {
    const response = await server.request({ method: 'GET', url, as: 'security-officer' });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<T>();
  };
  const cas = async () => (await api<{ items: StoredCa[] }>('/api/v1/pki/cas')).items;
  const auditActions = async (action: string) =>
    (
      await api<{ items: { action: string; outcome: string; resource: { id: string } }[] }>(
        `/api/v1/audit/events?action=${action}`,
      )
    ).items.map((event) => `${event.action} ${event.outcome} ${event.resource.id}`);

  it('an officer revokes an issuing CA after a confirmation that says what follows', STEP, async () => {
    await page.goto('/certificates/authorities');
    await signIn(page, server.tokens['security-officer']);
    const issuingRow = page.getByTestId(`ca-row-${issuingId}`);
    await issuingRow.waitFor();
    const rootCrlBefore = (await cas()).find((ca) => ca.id === rootId)!.crlNumber;
    assert.equal(
      await page
        .getByTestId(`ca-row-${rootId}`)
        .getByRole('button', { name: /^Revoke/ })
        .count(),
      0,
      'a root has nobody above it to revoke it',
    );

    await issuingRow.getByRole('button', { name: 'Revoke scheme-issuing' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke CA' });
    const message = await confirm.innerText();
    assert.match(message, /scheme-issuing .* stops signing now/);
    assert.match(message, /goes on the CRL of scheme-root, which is regenerated at once/);
    assert.match(message, /every certificate scheme-issuing issued stops being trusted/);
    await confirm.getByLabel('Reason').selectOption('cACompromise');
    await screenshot(page, `ca-revoke-confirm-${engine}`);
    await confirm.getByRole('button', { name: 'Revoke CA' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await issuingRow.getByText(/^revoked$/i).waitFor();
    assert.match(await issuingRow.innerText(), /\(cACompromise\)/);
    assert.equal(await issuingRow.getByRole('button', { name: /^Revoke/ }).count(), 0);

    // The store retires a revoked CA (it never signs again); revokedAt and the reason say why.
    const stored = (await cas()).find((ca) => ca.id === issuingId)!;
    assert.deepEqual([stored.status, stored.revocationReason], ['retired', 'cACompromise']);
    assert.ok(stored.revokedAt !== null);
    const root = (await cas()).find((ca) => ca.id === rootId)!;
    assert.equal(root.crlNumber, rootCrlBefore + 1, "the root's CRL was reissued");
    const crl = await fetch(new URL(`/pki/crl/${rootId}.pem`, page.url()));
    const text = execFileSync('openssl', ['crl', '-noout', '-text'], { input: await crl.text() }).toString();
    assert.match(text, new RegExp(`Serial Number: ${stored.serial}`, 'i'));
    assert.match(text, /CA Compromise/);
    assert.deepEqual(await auditActions('pki.ca.revoke'), [`pki.ca.revoke success ${issuingId}`]);
  });

  it('an auditor sees the revoked status but no CA action', STEP, async () => {
    await switchTo(page, server.tokens.auditor, 'Certificate authorities');
    await page
      .getByTestId(`ca-row-${issuingId}`)
      .getByText(/^revoked$/i)
      .waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Revoke|Import CA|Create CA)/ }).count(), 0);
  });

  it(
    'an officer imports an external root, requests an issuing CA under it, and uploads what the root signed',
    STEP,
    async () => {
      const externalPem = opensslSelfSigned(dir, 'external', '/O=Scheme/CN=External Root');
      await switchTo(page, server.tokens['security-officer'], 'Certificate authorities');
      await page.getByRole('button', { name: 'Import CA' }).click();
      const importForm = page.getByRole('dialog', { name: 'Import CA' });
      await importForm.getByRole('textbox', { name: 'Name' }).fill('external-root');
      await importForm.getByRole('textbox', { name: 'CA certificate (PEM)' }).fill(externalPem);
      await importForm.getByRole('button', { name: 'Import' }).click();
      await importForm.waitFor({ state: 'hidden' });
      const external = (await cas()).find((ca) => ca.name === 'external-root')!;
      assert.deepEqual([external.role, external.source, external.status], ['root', 'external', 'active']);
      await page.getByTestId(`ca-row-${external.id}`).getByText('root (imported)').waitFor();

      await page.getByRole('button', { name: 'Request CA from external root' }).click();
      const requestForm = page.getByRole('dialog', { name: 'Request CA from external root' });
      assert.deepEqual(await requestForm.getByLabel('External parent CA').locator('option').allTextContents(), [
        'external-root (root, imported)',
      ]);
      await requestForm.getByLabel('Key type').selectOption('ec-p256');
      await requestForm.getByRole('textbox', { name: 'Name', exact: true }).fill('ext-issuing');
      await requestForm.getByRole('textbox', { name: 'Common name', exact: true }).fill('Ext Issuing CA');
      await requestForm.getByRole('textbox', { name: 'Organization (optional)' }).fill('Scheme');
      await requestForm.getByRole('button', { name: 'Make CSR' }).click();
      await requestForm.waitFor({ state: 'hidden' });

      const drawer = page.getByRole('dialog', { name: 'CA request ext-issuing' });
      const detail = drawer.getByTestId('ca-request-detail');
      await detail.waitFor();
      const requestId = new URL(page.url()).searchParams.get('request')!;
      const stored = await api<{ csrPem: string; status: string; parentId: string; keyId: string }>(
        `/api/v1/pki/cas/requests/${requestId}`,
      );
      assert.deepEqual([stored.status, stored.parentId], ['pending', external.id]);
      assert.equal((await detail.getByTestId('ca-request-csr').textContent())?.trim(), stored.csrPem.trim());

      // The CSR the UI hands out is the one the server holds, and openssl accepts its signature.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        detail.getByRole('button', { name: 'Download CSR' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'ext-issuing.csr');
      const csrFile = path.join(dir, 'ext-issuing.csr');
      await download.saveAs(csrFile);
      assert.equal(readFileSync(csrFile, 'utf8'), stored.csrPem);
      assert.match(
        openssl('req', '-in', 'ext-issuing.csr', '-verify', '-noout', '-subject'),
        /CN\s?=\s?Ext Issuing CA/,
      );

      // Closed, the request waits in the page's list, which opens it again.
      await drawer.getByRole('button', { name: 'Close' }).click();
      await drawer.waitFor({ state: 'hidden' });
      const pendingTable = page.getByRole('table', { name: 'Pending CA requests' });
      await pendingTable.getByRole('button', { name: 'ext-issuing' }).click();
      await detail.waitFor();
      assert.equal(new URL(page.url()).searchParams.get('request'), requestId);

      // The root's own certificate is not for the request's key: the refusal says so.
      const upload = detail.getByRole('form', { name: 'Upload signed certificate' });
      await upload.getByRole('textbox', { name: 'Signed certificate (PEM)' }).fill(externalPem);
      await upload.getByRole('button', { name: 'Upload certificate' }).click();
      await upload.getByText('Certificate refused').waitFor();
      await screenshot(page, `ca-request-refused-${engine}`);
      assert.match(await upload.innerText(), /the certificate is not for the key of this request/);
      assert.equal((await api<{ status: string }>(`/api/v1/pki/cas/requests/${requestId}`)).status, 'pending');

      writeFileSync(
        path.join(dir, 'ca.ext'),
        'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
      );
      openssl(
        'x509',
        '-req',
        '-in',
        'ext-issuing.csr',
        '-CA',
        'external.pem',
        '-CAkey',
        'external.key',
        '-set_serial',
        '0x7e57ca',
        '-days',
        '365',
        '-extfile',
        'ca.ext',
        '-out',
        'ext-issuing.pem',
      );
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        upload.getByRole('button', { name: 'Read from file' }).click(),
      ]);
      await chooser.setFiles(path.join(dir, 'ext-issuing.pem'));
      await upload
        .getByRole('textbox', { name: 'Signed certificate (PEM)' })
        .and(page.locator('textarea:not(:empty)'))
        .waitFor();
      await upload.getByRole('button', { name: 'Upload certificate' }).click();
      await detail.getByRole('alert').filter({ hasText: 'Issuing CA active' }).waitFor();
      await screenshot(page, `ca-request-completed-${engine}`);
      assert.equal(await detail.getByRole('form', { name: 'Upload signed certificate' }).count(), 0);

      const completed = await api<{ status: string; caId: string }>(`/api/v1/pki/cas/requests/${requestId}`);
      assert.equal(completed.status, 'completed');
      const ca = (await cas()).find((one) => one.id === completed.caId)!;
      assert.deepEqual(
        [ca.name, ca.role, ca.source, ca.parentId, ca.status],
        ['ext-issuing', 'issuing', 'cpm', external.id, 'active'],
      );
      writeFileSync(path.join(dir, 'active.pem'), ca.certificatePem);
      assert.match(openssl('verify', '-CAfile', 'external.pem', 'active.pem'), /active\.pem: OK/);

      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });
      const row = page.getByTestId(`ca-row-${ca.id}`);
      await row.waitFor();
      await pendingTable.waitFor({ state: 'detached' });
      assert.deepEqual((await row.getByRole('cell').allTextContents()).slice(0, 3), [
        'ext-issuing',
        'issuing',
        'external-root',
      ]);
      assert.equal(
        await row.getByRole('button', { name: /^Revoke/ }).count(),
        0,
        'revoked at the external CA, not here',
      );
      await screenshot(page, `cas-${engine}`);
    },
  );

  it('an officer imports the external root’s CRL from a DER file; a bad one is refused', STEP, async () => {
    const external = (await cas()).find((ca) => ca.name === 'external-root')!;
    const row = page.getByTestId(`ca-row-${external.id}`);
    assert.equal(await row.getByRole('cell', { name: 'none imported' }).count(), 1);
    await row.getByRole('button', { name: 'Import CRL of external-root' }).click();
    const form = page.getByRole('form', { name: 'Import CRL' });
    await form.getByRole('textbox', { name: 'CRL (PEM, or base64 of the DER)' }).fill('bm90IGEgQ1JM');
    await form.getByRole('button', { name: 'Import CRL' }).click();
    await form.getByText('CRL not imported').waitFor();
    assert.match(await form.innerText(), /ERR_CRL_INVALID|not a CRL|CRL/);

    // The root signs its CRL with `openssl ca`, as a scheme running its own root would.
    writeFileSync(
      path.join(dir, 'ca.cnf'),
      '[ ca ]\ndefault_ca = ext\n[ ext ]\ndir = .\ndatabase = index.txt\ncrlnumber = crlnumber\n' +
        'certificate = external.pem\nprivate_key = external.key\ndefault_md = sha256\ncrl_extensions = crl_ext\n' +
        '[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n',
    );
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(path.join(dir, 'crlnumber'), '07\n');
    openssl('ca', '-config', 'ca.cnf', '-gencrl', '-crldays', '1', '-out', 'root.crl');
    openssl('crl', '-in', 'root.crl', '-outform', 'DER', '-out', 'root.der');
    await form.locator('input[type="file"]').setInputFiles({
      name: 'root.der',
      mimeType: 'application/pkix-crl',
      buffer: readFileSync(path.join(dir, 'root.der')),
    });
    await form.getByText('root.der').waitFor();
    await form.getByRole('button', { name: 'Import CRL' }).click();
    await form.waitFor({ state: 'hidden' });
    await row.getByRole('cell', { name: '7', exact: true }).waitFor();

    const held = await api<{ crlNumber: number }>(`/api/v1/pki/cas/${external.id}/crl`);
    assert.equal(held.crlNumber, 7);
    assert.deepEqual(
      (await auditActions('pki.crl.import')).map((line) => line.split(' ')[1]),
      ['success', 'denied'],
    );
    await screenshot(page, `crl-imported-${engine}`);
  });

  it('an officer registers and removes a participant domain; the participant sees its own', STEP, async () => {
    await page.getByRole('link', { name: 'Participant domains' }).click();
    await page.getByRole('heading', { name: 'Participant domains' }).waitFor();
    await page.getByLabel('Participant').selectOption(PARTICIPANT_A);
    await page.getByText(`No domain registered to ${PARTICIPANT_A}`).waitFor();

    const form = page.getByRole('form', { name: 'Register domain' });
    await form.getByRole('textbox', { name: 'Domain' }).fill('api.dfsp-a.scheme.local');
    await form.getByRole('button', { name: 'Register' }).click();
    await form.getByText('Domain not registered').waitFor();
    assert.match(await form.innerText(), /names under scheme\.local are the scheme's and cannot be registered/);

    await form.getByRole('textbox', { name: 'Domain' }).fill('Bank-A.example');
    await form.getByRole('button', { name: 'Register' }).click();
    const table = page.getByRole('table', { name: `Domains of ${PARTICIPANT_A}` });
    await table.getByRole('cell', { name: 'bank-a.example', exact: true }).waitFor();
    assert.equal(await form.getByRole('textbox', { name: 'Domain' }).inputValue(), '');
    await screenshot(page, `domains-${engine}`);
    const listed = await api<{ items: { domain: string; participantId: string }[] }>(
      `/api/v1/pki/participants/${PARTICIPANT_A}/domains`,
    );
    assert.deepEqual(
      listed.items.map(({ domain, participantId }) => ({ domain, participantId })),
      [{ domain: 'bank-a.example', participantId: PARTICIPANT_A }],
    );

    await switchTo(page, server.tokens.participant, 'Participant domains');
    assert.equal(await page.getByRole('textbox', { name: 'Participant' }).inputValue(), PARTICIPANT_A);
    await page
      .getByRole('table', { name: `Domains of ${PARTICIPANT_A}` })
      .getByRole('cell', { name: 'bank-a.example', exact: true })
      .waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Remove|Register)/ }).count(), 0);

    await switchTo(page, server.tokens['security-officer'], 'Participant domains');
    await page.getByLabel('Participant').selectOption(PARTICIPANT_A);
    await page.getByRole('button', { name: 'Remove bank-a.example' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove domain' });
    assert.match(
      await confirm.innerText(),
      /bank-a\.example no longer belongs to dfsp-a: new certificates naming hosts under it are refused\. Certificates already issued stay valid/,
    );
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByText(`No domain registered to ${PARTICIPANT_A}`).waitFor();
    assert.deepEqual((await api<{ items: unknown[] }>(`/api/v1/pki/participants/${PARTICIPANT_A}/domains`)).items, []);
    assert.deepEqual((await auditActions('pki.domain.*')).sort(), [
      'pki.domain.register success bank-a.example',
      'pki.domain.remove success bank-a.example',
    ]);
  });

  it('ran without page errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // An animation cancelled meanwhile (a closing drawer) rejects `finished`: settled is enough.
  await page.evaluate(() => Promise.allSettled(document.getAnimations().map((animation) => animation.finished)));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
