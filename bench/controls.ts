/**
 * Controls benchmark: re-evaluate every PCI DSS and GDPR requirement for the hub and 100
 * participants against live evidence (answers, collector records, responsibility matrix,
 * inheritance from the hub). Target: under one second. The figure is printed beside the time to
 * merely read the same assessment rows from the store in the same run (the floor any evaluation
 * pays), as a ratio.
 *
 *   npm run bench:controls
 *
 * SQLite in a temporary directory; PostgreSQL too when TRUSTLOOP_BENCH_DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openApp, type App } from '../src/app.js';
import { loadConfig } from '../src/core/config.js';
import { systemContext } from '../src/core/context.js';
import type { AssessmentResult } from '../src/core/db/schema.js';

/** Benchmark output goes to stdout as plain lines, like the other benchmarks. */
const say = (line: string): void => void process.stdout.write(`${line}\n`);

const PARTICIPANTS = 100;
const CATALOGS = ['urn:trustloop:catalog:pci-dss:4.0.1', 'urn:trustloop:catalog:gdpr:2016-679'];
const RESULTS: AssessmentResult[] = ['compliant', 'partially-compliant', 'non-compliant', 'not-applicable'];
const TARGET_MS = 1000;
const ROUNDS = 5;

async function seed(app: App): Promise<void> {
  const ctx = systemContext();
  for (const share of await app.ceremony.init(ctx, { shares: 2, threshold: 2 })) await app.ceremony.unseal(ctx, share);
  await app.participants.create(ctx, { id: 'hub', name: 'Hub', kind: 'hub' });
  for (let i = 1; i <= PARTICIPANTS; i++) {
    await app.participants.create(ctx, { id: `dfsp-${i}`, name: `DFSP ${i}`, kind: 'dfsp' });
    if (i % 4 === 0) await app.controls.setHosted(ctx, `dfsp-${i}`, true);
  }
  await app.keys.create(ctx, { name: 'hub-key', type: 'ec-p256', purpose: 'sign', rotationPeriodDays: 365 });
  for (const participantId of ['hub', ...Array.from({ length: PARTICIPANTS }, (_, i) => `dfsp-${i + 1}`)]) {
    for (const catalogUrn of CATALOGS) {
      const { assessment, items } = await app.controls.createAssessment(ctx, {
        catalogUrn,
        participantId,
        title: 'bench',
      });
      // Roughly two thirds answered, spread over every result.
      const answers = items
        .filter((_, index) => index % 3 !== 0)
        .map((item, index) => ({ ref: item.ref, result: RESULTS[index % RESULTS.length]!, justification: 'bench' }));
      for (let i = 0; i < answers.length; i += 500)
        await app.controls.updateItems(ctx, assessment.id, answers.slice(i, i + 500));
    }
  }
  await app.collectors.run(ctx);
}

async function measure(app: App, engine: string): Promise<void> {
  const rows = await app.database.db.selectFrom('controls_assessments').selectAll().execute();
  let evaluateMs = Infinity;
  let readMs = Infinity;
  let requirements = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const readStart = performance.now();
    await app.database.db.selectFrom('controls_assessment_items').selectAll().execute();
    readMs = Math.min(readMs, performance.now() - readStart);
    const start = performance.now();
    const evaluated = await app.controls.evaluateAssessments(rows);
    evaluateMs = Math.min(evaluateMs, performance.now() - start);
    requirements = evaluated.reduce((sum, one) => sum + one.items.length, 0);
  }
  say(
    `${engine}: ${rows.length} assessments, ${requirements} requirements re-evaluated in ${evaluateMs.toFixed(0)} ms ` +
      `(target < ${TARGET_MS} ms: ${evaluateMs < TARGET_MS ? 'met' : 'MISSED'}); ` +
      `reading the same item rows alone: ${readMs.toFixed(0)} ms; ratio evaluate/read ${(evaluateMs / readMs).toFixed(2)}×`,
  );
}

async function run(engine: string, overrides: Record<string, unknown>, cleanup: () => Promise<void>): Promise<void> {
  const app = await openApp(loadConfig({}, { logLevel: 'silent', ...overrides }));
  try {
    const started = performance.now();
    await seed(app);
    say(`${engine}: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await measure(app, engine);
  } finally {
    await app.close();
    await cleanup();
  }
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-controls-'));
await run('sqlite', { dataDir }, async () => rmSync(dataDir, { recursive: true, force: true }));
const url = process.env.TRUSTLOOP_BENCH_DATABASE_URL;
if (url) {
  const schema = `bench_controls_${process.pid}`;
  await run('postgres', { databaseUrl: url, databaseSchema: schema }, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });
}
