import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { pdfText, readXlsx, sheetRows } from './support/documents.js';
import { startTestServer, type TestServer } from './support/server.js';

const BIN = path.resolve('bin/trustloop.mjs');
const MOJALOOP = 'urn:trustloop:catalog:mojaloop-security:1.0';

let t: TestServer;
let env: Record<string, string>;
let assessmentId = '';

/** Async: the server under test runs in this process, so a blocking spawn would deadlock it. */
const cli = (args: string[], token = t.tokens['compliance-officer']) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'controls', ...args],
      { env: { ...env, TRUSTLOOP_TOKEN: token }, encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

before(async () => {
  t = await startTestServer('sqlite');
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.server.server.address() as AddressInfo).port;
  env = { ...(process.env as Record<string, string>), TRUSTLOOP_URL: `http://127.0.0.1:${port}` };
});
after(() => t.close());

it('lists the catalogs and a catalog’s requirements by framework name', async () => {
  const catalogs = await cli(['catalogs']);
  assert.equal(catalogs.status, 0, catalogs.stderr);
  for (const framework of ['pci-dss', 'gdpr', 'mojaloop-security'])
    assert.match(catalogs.stdout, new RegExp(framework));

  const all = await cli(['requirements', 'mojaloop-security']);
  assert.equal(all.status, 0, all.stderr);
  assert.match(all.stdout, /^SIG {2}FSPIOP message signature \(JWS\)$/m);
  assert.match(all.stdout, /^ {2}SIG-1 {2}.+ \[\w[\w-]*, p\d\]$/m, 'requirements are indented under their section');

  const assessable = await cli(['requirements', MOJALOOP, '--assessable', '--json']);
  assert.equal(assessable.status, 0, assessable.stderr);
  const refs = (JSON.parse(assessable.stdout) as { ref: string; assessable: boolean }[]).map((r) => r.ref);
  assert.ok(refs.includes('SIG-1') && !refs.includes('SIG'));
});

it('exports the responsibility matrix as CSV, scheme-wide and for one participant', async () => {
  const scheme = await cli(['matrix', 'export', 'gdpr']);
  assert.equal(scheme.status, 0, scheme.stderr);
  assert.match(scheme.stdout, /^ref,title,party,hub duty,participant duty,reason,origin\r\n/);
  assert.match(scheme.stdout, /\r\n32,/);

  const participant = await cli(['matrix', 'export', 'gdpr', '--participant', 'dfsp-a']);
  assert.equal(participant.status, 0, participant.stderr);
  assert.equal(participant.stdout.split('\r\n').length, scheme.stdout.split('\r\n').length);
});

it('creates, lists, shows, collects, reports gaps, signs off and exports an assessment', async () => {
  const created = await cli([
    'assessment',
    'create',
    '--catalog',
    'mojaloop-security',
    '--scope',
    'hub',
    '--title',
    'Hub baseline',
    '--due',
    '2030-06-30',
    '--json',
  ]);
  assert.equal(created.status, 0, created.stderr);
  assessmentId = (JSON.parse(created.stdout) as { assessment: { id: string } }).assessment.id;
  assert.match(assessmentId, /^asm_[a-z2-7]{16}$/);

  const recorded = await t.request({
    method: 'PATCH',
    url: `/api/v1/controls/assessments/${assessmentId}/items`,
    as: 'compliance-officer',
    payload: { items: [{ ref: 'SIG-2', result: 'non-compliant', justification: 'RS256 with 1024-bit keys seen' }] },
  });
  assert.equal(recorded.statusCode, 200, recorded.body);

  const listed = await cli(['assessment', 'list', '--scope', 'hub', '--catalog', 'mojaloop-security']);
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(
    listed.stdout,
    new RegExp(`^${assessmentId} +Hub baseline +hub +${MOJALOOP} +open +0 +2030-06-30$`, 'm'),
  );

  const keyed = await t.request({
    method: 'POST',
    url: '/api/v1/keys',
    as: 'admin',
    payload: { name: 'cli-hub-signer', type: 'ec-p256', purpose: 'sign' },
  });
  assert.equal(keyed.statusCode, 201, keyed.body);
  const collected = await cli(['collect', '--collector', 'cpm.key-rotation']);
  assert.equal(collected.status, 0, collected.stderr);
  assert.match(collected.stdout, /cpm\.key-rotation +hub +fail/);
  assert.match(collected.stdout, /\d+ evidence records, [1-9]\d* failing$/m);

  const shown = await cli(['assessment', 'show', assessmentId]);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, /open\n {2}coverage [\d.]+%, compliance [\d.]+% of \d+ applicable/);
  assert.match(shown.stdout, /^SIG-2 +non-compliant +manual /m);
  assert.match(shown.stdout, /^PKI-11 +non-compliant +collector /m, 'the failing collector marked PKI-11');

  const gaps = await cli(['gaps', assessmentId, '--json']);
  assert.equal(gaps.status, 0, gaps.stderr);
  const report = JSON.parse(gaps.stdout) as { gaps: { ref: string; result: string }[] };
  assert.deepEqual(
    report.gaps
      .slice(0, 2)
      .map((gap) => gap.ref)
      .sort(),
    ['PKI-11', 'SIG-2'],
  );

  const signed = await cli(['assessment', 'sign-off', assessmentId]);
  assert.equal(signed.status, 0, signed.stderr);
  assert.match(
    signed.stdout,
    new RegExp(`^signed off ${assessmentId} "Hub baseline": .* signed-off \\(snapshot v1\\)$`, 'm'),
  );
  const again = await cli(['assessment', 'sign-off', assessmentId]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /ERR_ASSESSMENT_SIGNED_OFF: .*already signed off/);

  const trend = await cli(['gaps', assessmentId]);
  assert.match(trend.stdout, /^ {2}v1 \S+: coverage [\d.]+%, compliance [\d.]+%$/m);
  assert.match(trend.stdout, /^rank +ref +result/m);

  const csv = await cli(['export', assessmentId, '--format', 'csv']);
  assert.equal(csv.status, 0, csv.stderr);
  assert.match(csv.stdout, /^rank,ref,title,result,basis,priority,owner,assessor,due date\r\n1,/);

  const oscal = await cli(['export', assessmentId, '--format', 'oscal']);
  assert.equal(oscal.status, 0, oscal.stderr);
  const document = JSON.parse(oscal.stdout) as Record<string, { uuid?: string }>;
  assert.match(document['assessment-results']?.uuid ?? '', /^[0-9a-f-]{36}$/);

  const dir = await mkdtemp(path.join(tmpdir(), 'tl-cli-'));
  try {
    const pdfFile = path.join(dir, 'gaps.pdf');
    const pdf = await cli(['export', assessmentId, '--format', 'pdf', '--out', pdfFile]);
    assert.equal(pdf.status, 0, pdf.stderr);
    assert.match(pdf.stdout, /^wrote .*gaps\.pdf \(\d+ bytes\)$/m);
    const text = await pdfText(await readFile(pdfFile));
    assert.match(text, /Gap report: Hub baseline/);
    assert.match(text, new RegExp(`Assessment ${assessmentId}, signed-off, snapshot v1`));

    const xlsxFile = path.join(dir, 'matrix.xlsx');
    const xlsx = await cli(['matrix', 'export', 'gdpr', '--format', 'xlsx', '--out', xlsxFile]);
    assert.equal(xlsx.status, 0, xlsx.stderr);
    const workbook = await readXlsx(await readFile(xlsxFile));
    const scheme = sheetRows(workbook, 'Scheme');
    assert.ok(
      scheme.some((row) => row[0] === '32'),
      'GDPR Art. 32 is in the matrix',
    );
    assert.deepEqual(sheetRows(workbook, 'Grid')[0]!.slice(3), ['dfsp-a', 'dfsp-b']);

    const matrixPdf = path.join(dir, 'matrix.pdf');
    const mine = await cli(['matrix', 'export', 'gdpr', '--format', 'pdf', '--out', matrixPdf], t.tokens.participant);
    assert.equal(mine.status, 0, mine.stderr);
    assert.match(await pdfText(await readFile(matrixPdf)), /Participant: dfsp-a \(Bank A\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('refuses bad input with a clear message and a non-zero exit', async () => {
  const cases: { args: string[]; status: number; stderr: RegExp }[] = [
    {
      args: ['requirements', 'iso-27001'],
      status: 2,
      stderr: /ERR_VALIDATION: unknown catalog 'iso-27001'; known: .*pci-dss/,
    },
    { args: ['assessment', 'show', 'asm_1'], status: 2, stderr: /assessment id must look like asm_/ },
    { args: ['assessment', 'show', 'asm_aaaaaaaaaaaaaaaa'], status: 1, stderr: /ERR_NOT_FOUND/ },
    {
      args: ['assessment', 'create', '--catalog', 'gdpr', '--scope', 'hub', '--title', 'x', '--due', '30/06/2030'],
      status: 2,
      stderr: /--due must be a date as YYYY-MM-DD/,
    },
    {
      args: ['assessment', 'create', '--catalog', 'gdpr', '--scope', 'no-such-dfsp', '--title', 'x'],
      status: 1,
      stderr: /ERR_NOT_FOUND/,
    },
    { args: ['assessment', 'create', '--catalog', 'gdpr', '--title', 'x'], status: 2, stderr: /--scope/ },
    {
      args: ['export', 'asm_aaaaaaaaaaaaaaaa', '--format', 'docx'],
      status: 2,
      stderr: /Allowed choices are csv, pdf, oscal/,
    },
    { args: ['export', 'asm_aaaaaaaaaaaaaaaa', '--format', 'pdf'], status: 2, stderr: /--format pdf needs --out/ },
    { args: ['matrix', 'export', 'gdpr', '--format', 'xlsx'], status: 2, stderr: /--format xlsx needs --out/ },
    { args: ['export', 'asm_aaaaaaaaaaaaaaaa', '--format', 'csv'], status: 1, stderr: /ERR_NOT_FOUND/ },
    { args: ['collect', '--collector', 'nope'], status: 2, stderr: /no collector named 'nope'/ },
    { args: ['matrix', 'export', 'gdpr', '--participant', 'bad id!'], status: 2, stderr: /--participant must be/ },
  ];
  for (const { args, status, stderr } of cases) {
    const result = await cli(args);
    assert.equal(result.status, status, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, stderr, args.join(' '));
    assert.equal(result.stdout, '', `${args.join(' ')} prints nothing on stdout`);
  }
});

it('keeps a participant to its own assessments and out of writes it may not make', async () => {
  const hidden = await cli(['assessment', 'show', assessmentId], t.tokens.participant);
  assert.equal(hidden.status, 1);
  assert.match(hidden.stderr, /ERR_NOT_FOUND/);
  const listed = await cli(['assessment', 'list'], t.tokens.participant);
  assert.equal(listed.status, 0, listed.stderr);
  assert.doesNotMatch(listed.stdout, new RegExp(assessmentId));
  const refused = await cli(
    ['assessment', 'create', '--catalog', 'gdpr', '--scope', 'dfsp-a', '--title', 'Own'],
    t.tokens.participant,
  );
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /ERR_FORBIDDEN/);
});
