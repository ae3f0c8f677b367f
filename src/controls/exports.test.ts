import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemContext } from '../core/context.js';
import { pdfText, readXlsx, sheetRows } from '../../test/support/documents.js';
import { forEachEngine } from '../../test/support/engines.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer, type TestServer } from '../../test/support/server.js';

const PCI = 'urn:trustloop:catalog:pci-dss:4.0.1';
const GDPR = 'urn:trustloop:catalog:gdpr:2016-679';
const MOJALOOP = 'urn:trustloop:catalog:mojaloop-security:1.0';

forEachEngine('controls exports', (engine) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(engine);
    const put = (ref: string, payload: object) =>
      t.request({
        method: 'PUT',
        url: `/api/v1/controls/catalogs/${PCI}/responsibility/${ref}`,
        as: 'compliance-officer',
        payload,
      });
    const scheme = await put('3.6.1', {
      party: 'shared',
      hubDuty: 'Hub guards the scheme keys in the CPM',
      participantDuty: 'Each DFSP guards its own signing keys',
    });
    assert.equal(scheme.statusCode, 204, scheme.body);
    assert.equal((await put('1.1.1', { party: 'hub' })).statusCode, 204);
    const override = await put('3.6.1', {
      participantId: PARTICIPANT_A,
      party: 'participant',
      participantDuty: 'Bank A runs its own HSM',
    });
    assert.equal(override.statusCode, 204, override.body);
    const hosted = await t.request({
      method: 'PUT',
      url: `/api/v1/controls/participants/${PARTICIPANT_B}/hosting`,
      as: 'compliance-officer',
      payload: { hosted: true },
    });
    assert.equal(hosted.statusCode, 200, hosted.body);
  });
  after(() => t.close());

  it('exports the matrix as XLSX: scheme-wide sheet, overrides and the participant grid', async () => {
    const response = await t.request({ method: 'GET', url: `/api/v1/controls/catalogs/${PCI}/responsibility/xlsx` });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /spreadsheetml\.sheet/);
    assert.match(
      String(response.headers['content-disposition']),
      /attachment; filename="responsibility-pci-dss\.xlsx"/,
    );
    const workbook = await readXlsx(response.rawPayload);
    const assessable = t.app.controls.registry.get(PCI).requirements.filter((r) => r.assessable);

    const scheme = sheetRows(workbook, 'Scheme');
    assert.deepEqual(scheme[0], ['Requirement', 'Title', 'Party', 'Hub duty', 'Participant duty', 'Reason', 'Origin']);
    assert.equal(scheme.length - 1, assessable.length);
    const row361 = scheme.find((row) => row[0] === '3.6.1')!;
    assert.deepEqual(
      [row361[2], row361[3], row361[4], row361[6]],
      ['shared', 'Hub guards the scheme keys in the CPM', 'Each DFSP guards its own signing keys', 'scheme'],
    );
    assert.equal(scheme.find((row) => row[0] === '1.1.1')![2], 'hub');

    const overrides = sheetRows(workbook, 'Overrides');
    const own = overrides.filter((row) => row[0] === PARTICIPANT_A);
    assert.equal(own.length, 1, 'Bank A departs only where it overrides');
    assert.deepEqual([own[0]![2], own[0]![4], own[0]![8]], ['3.6.1', 'participant', 'participant']);
    const sharedInScheme = scheme.filter((row) => row[2] === 'shared').length;
    const inherited = overrides.filter((row) => row[0] === PARTICIPANT_B);
    assert.equal(inherited.length, sharedInScheme, 'the hosted wallet inherits every shared requirement');
    assert.ok(inherited.every((row) => row[1] === 'yes' && row[4] === 'hub' && row[8] === 'hosted'));

    const grid = sheetRows(workbook, 'Grid');
    assert.deepEqual(grid[0]!.slice(0, 5), ['Requirement', 'Title', 'Scheme', PARTICIPANT_A, PARTICIPANT_B]);
    assert.deepEqual(grid.find((row) => row[0] === '3.6.1')!.slice(2, 5), ['shared', 'participant', 'hub']);
    assert.deepEqual(grid.find((row) => row[0] === '1.1.1')!.slice(2, 5), ['hub', 'hub', 'hub']);
  });

  it('gives a participant only its own matrix in the XLSX, whatever it asks for', async () => {
    const response = await t.request({
      method: 'GET',
      url: `/api/v1/controls/catalogs/${PCI}/responsibility/xlsx?participantId=${PARTICIPANT_B}`,
      as: 'participant',
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-disposition']), /responsibility-pci-dss-dfsp-a\.xlsx/);
    const grid = sheetRows(await readXlsx(response.rawPayload), 'Grid');
    assert.deepEqual(grid[0], ['Requirement', 'Title', 'Scheme', PARTICIPANT_A]);
  });

  it('exports the matrix as PDF with the scheme table, the participants and their overrides', async () => {
    const response = await t.request({ method: 'GET', url: `/api/v1/controls/catalogs/${PCI}/responsibility/pdf` });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['content-type'], 'application/pdf');
    assert.equal(response.rawPayload.subarray(0, 5).toString(), '%PDF-');
    const text = await pdfText(response.rawPayload);
    assert.match(text, /Responsibility matrix: PCI DSS 4\.0\.1/);
    assert.match(text, /Scheme-wide, with 2 participants/);
    assert.match(text, /^\s*3\.6\.1\s+Key protection procedures.*shared\s+Hub guards the scheme keys/m);
    const counts = /hub: (\d+)\s+participant: (\d+)\s+shared: (\d+)\s+not-applicable: (\d+)/.exec(text)!;
    const assessable = t.app.controls.registry.get(PCI).requirements.filter((r) => r.assessable).length;
    assert.equal(
      counts
        .slice(1)
        .map(Number)
        .reduce((a, b) => a + b),
      assessable,
    );
    assert.match(text, /^\s*dfsp-a\s+Bank A\s+no\s+1\s+0\b/m);
    assert.match(text, new RegExp(`^\\s*dfsp-b\\s+Wallet B\\s+yes\\s+0\\s+${counts[3]}\\b`, 'm'));
    assert.match(text, /Participant overrides \(1\)/);
    assert.match(text, /^\s*dfsp-a\s+3\.6\.1\s+.*participant\s+Bank A runs its own HSM/m);
  });

  it('exports the gap report as PDF: counts, trend and ranked gaps', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/controls/assessments',
      as: 'compliance-officer',
      payload: { catalogUrn: MOJALOOP, participantId: 'hub', title: 'Hub Mojaloop baseline', dueDate: '2030-06-30' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().assessment.id as string;
    const update = await t.request({
      method: 'PATCH',
      url: `/api/v1/controls/assessments/${id}/items`,
      as: 'compliance-officer',
      payload: {
        items: [
          { ref: 'SIG-1', result: 'non-compliant', justification: 'signatures not enforced', assessor: 'Ana' },
          { ref: 'LOG-1', result: 'partially-compliant', assessor: 'Ben' },
          { ref: 'ENC-1', result: 'compliant' },
        ],
      },
    });
    assert.equal(update.statusCode, 200, update.body);
    assert.equal(
      (
        await t.request({
          method: 'POST',
          url: `/api/v1/controls/assessments/${id}/sign-off`,
          as: 'compliance-officer',
        })
      ).statusCode,
      200,
    );
    const report = (await t.request({ method: 'GET', url: `/api/v1/controls/assessments/${id}/gaps` })).json();

    const response = await t.request({ method: 'GET', url: `/api/v1/controls/assessments/${id}/gaps/pdf` });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['content-type'], 'application/pdf');
    assert.match(String(response.headers['content-disposition']), new RegExp(`gaps-${id}\\.pdf`));
    const text = await pdfText(response.rawPayload);
    assert.match(text, /Gap report: Hub Mojaloop baseline/);
    assert.match(text, /signed-off, snapshot v1, due 2030-06-30/);
    const { summary } = report as { summary: { applicable: number; coverage: number; counts: Record<string, number> } };
    assert.match(
      text,
      new RegExp(
        `^\\s*${summary.applicable}\\s+${summary.coverage}\\s+[\\d.]+\\s+${summary.counts.compliant}\\s+` +
          `${summary.counts['partially-compliant']}\\s+${summary.counts['non-compliant']}\\s+${summary.counts['not-assessed']}`,
        'm',
      ),
    );
    assert.match(text, /^\s*v1\s+\d{4}-\d{2}-\d{2}T/m);
    assert.match(text, new RegExp(`Gaps, worst first \\(${report.gaps.length}\\)`));
    assert.match(text, /^\s*1\s+SIG-1\s+.*non-compliant\s+manual\s+\d\s+\S+\s+Ana/m);
    assert.match(text, /^\s*2\s+LOG-1\s+.*partially-compliant/m);
    assert.doesNotMatch(text, /^\s*\d+\s+ENC-1\s/m, 'a compliant requirement is no gap');
  });

  it('refuses an unknown catalog and another participant’s gap report', async () => {
    const unknown = await t.request({
      method: 'GET',
      url: '/api/v1/controls/catalogs/urn:trustloop:catalog:nope:1/responsibility/pdf',
    });
    assert.equal(unknown.statusCode, 404, unknown.body);
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/controls/assessments',
      as: 'compliance-officer',
      payload: { catalogUrn: MOJALOOP, participantId: PARTICIPANT_B, title: 'Wallet B baseline' },
    });
    const id = created.json().assessment.id as string;
    const foreign = await t.request({
      method: 'GET',
      url: `/api/v1/controls/assessments/${id}/gaps/pdf`,
      as: 'participant',
    });
    assert.equal(foreign.statusCode, 404, foreign.body);
  });
});

it('exports PCI DSS and GDPR matrices for 100 participants within a bounded time', async (test) => {
  const t = await startTestServer('sqlite');
  try {
    const ctx = systemContext();
    for (let i = 0; i < 98; i += 1) {
      const id = `dfsp-${String(i).padStart(3, '0')}`;
      await t.app.participants.create(ctx, { id, name: `Bank ${i}`, kind: 'dfsp' });
      if (i % 3 === 0) await t.app.controls.setHosted(ctx, id, true);
      for (const ref of ['3.6.1', '8.3.1', '10.2.1'])
        await t.app.controls.setResponsibility(ctx, PCI, ref, {
          participantId: id,
          party: 'participant',
          participantDuty: `Bank ${i} does ${ref} itself`,
        });
    }
    for (const catalog of [PCI, GDPR]) {
      for (const format of ['xlsx', 'pdf']) {
        const started = performance.now();
        const response = await t.request({
          method: 'GET',
          url: `/api/v1/controls/catalogs/${catalog}/responsibility/${format}`,
        });
        const elapsed = performance.now() - started;
        assert.equal(response.statusCode, 200, response.body);
        test.diagnostic(`${catalog} ${format}: ${Math.round(elapsed)} ms, ${response.rawPayload.length} bytes`);
        assert.ok(elapsed < 10_000, `${catalog} ${format} took ${Math.round(elapsed)} ms`);
        if (format === 'xlsx') {
          const grid = sheetRows(await readXlsx(response.rawPayload), 'Grid');
          assert.equal(grid[0]!.length, 3 + 100, 'one column per participant');
        } else if (catalog === PCI) {
          const text = await pdfText(response.rawPayload);
          assert.match(text, /Participant overrides \(294\)/);
          // Hosted inheritance is counted, not listed: the length follows the overrides written.
          const pages = text.split('\f').length - 1;
          assert.ok(pages <= 25, `${pages} pages`);
          test.diagnostic(`PCI DSS matrix PDF: ${pages} pages`);
        }
      }
    }
  } finally {
    await t.close();
  }
});
