import { Option, type Command } from 'commander';
import { TrustloopError } from '../core/errors.js';
import { writeFile } from 'node:fs/promises';
import { callServer, fetchServerBytes } from './api-client.js';
import { printJson, printTable, writeOut } from './output.js';

interface CatalogSummary {
  urn: string;
  framework: string;
  name: string;
  version: string;
  origin: string;
  requirements: number;
  assessable: number;
}
interface Requirement {
  ref: string;
  parentRef: string | null;
  title: string;
  assessable: boolean;
  priority: number;
  responsibility: string;
  depth: number;
}
interface Summary {
  total: number;
  applicable: number;
  counts: Record<string, number>;
  coverage: number;
  compliance: number;
}
interface AssessmentHead {
  id: string;
  catalogUrn: string;
  participantId: string;
  title: string;
  status: string;
  version: number;
  dueDate: string | null;
  updatedAt: string;
  signedOffAt: string | null;
  signedOffBy: string | null;
}
interface Item {
  ref: string;
  result: string;
  basis: string;
  party: string;
  priority: number;
  justification: string | null;
  evidenceIds: string[];
  assessor: string | null;
  dueDate: string | null;
}
interface Assessment {
  assessment: AssessmentHead;
  summary: Summary;
  items: Item[];
}
interface GapReport {
  assessment: AssessmentHead;
  summary: Summary;
  gaps: Item[];
  trend: ({ version: number; takenAt: string } & Summary)[];
}
interface Evidence {
  id: string;
  participantId: string;
  collector: string | null;
  result: string | null;
  title: string;
}

const ASSESSMENT_ID = /^asm_[a-z2-7]{16}$/;
const FSP_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const assessmentId = (raw: string): string => {
  if (!ASSESSMENT_ID.test(raw))
    throw new TrustloopError(
      'ERR_VALIDATION',
      `assessment id must look like asm_ followed by 16 characters, not '${raw}'`,
    );
  return raw;
};

const participantId = (option: string, raw: string): string => {
  if (!FSP_ID.test(raw))
    throw new TrustloopError(
      'ERR_VALIDATION',
      `--${option} must be a participant id (letters, digits, . _ -), not '${raw}'`,
    );
  return raw;
};

/** A catalog given by URN, or by framework name (`pci-dss`, `gdpr`, `mojaloop-security`) when only one version is loaded. */
async function resolveCatalog(given: string): Promise<CatalogSummary> {
  const { items } = await callServer<{ items: CatalogSummary[] }>('GET', '/api/v1/controls/catalogs');
  const byUrn = items.find((catalog) => catalog.urn === given);
  if (byUrn) return byUrn;
  const byFramework = items.filter((catalog) => catalog.framework === given);
  if (byFramework.length === 1) return byFramework[0]!;
  const known = items.map((catalog) => `${catalog.framework} (${catalog.urn})`).join(', ');
  throw new TrustloopError(
    'ERR_VALIDATION',
    byFramework.length > 1
      ? `'${given}' names ${byFramework.length} catalog versions; give the URN: ${byFramework.map((c) => c.urn).join(', ')}`
      : `unknown catalog '${given}'; known: ${known}`,
  );
}

const summaryLine = (summary: Summary): string =>
  `coverage ${summary.coverage}%, compliance ${summary.compliance}% of ${summary.applicable} applicable ` +
  `(compliant ${summary.counts.compliant}, partial ${summary.counts['partially-compliant']}, ` +
  `non-compliant ${summary.counts['non-compliant']}, not assessed ${summary.counts['not-assessed']}, ` +
  `not applicable ${summary.counts['not-applicable']})`;

const headLine = (head: AssessmentHead): string =>
  `${head.id} "${head.title}": ${head.participantId} against ${head.catalogUrn}, ${head.status}` +
  (head.version > 0 ? ` (snapshot v${head.version})` : '');

type ExportFormat = 'csv' | 'xlsx' | 'pdf';

/** Binary formats go to a file: a terminal is no place for a ZIP or a PDF. */
const requireOut = (options: { format: string; out?: string }): void => {
  if ((options.format === 'xlsx' || options.format === 'pdf') && !options.out)
    throw new TrustloopError('ERR_VALIDATION', `--format ${options.format} needs --out <file>`);
};

/** Fetches an export and writes it to --out (saying where and how big) or to standard output. */
async function deliver(path: string, options: { out?: string }): Promise<void> {
  const bytes = await fetchServerBytes(path);
  if (!options.out) {
    process.stdout.write(bytes);
    return;
  }
  await writeFile(options.out, bytes);
  writeOut(`wrote ${options.out} (${bytes.length} bytes)`);
}

/** `trustloop controls …`: catalogs, the responsibility matrix, assessments, gaps and collectors (through the running server). */
export function controlsCommands(program: Command): void {
  const controls = program
    .command('controls')
    .description('standards baselining: catalogs, responsibility, assessments, evidence (through the running server)');

  controls
    .command('catalogs')
    .description('the catalogs in force')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const { items } = await callServer<{ items: CatalogSummary[] }>('GET', '/api/v1/controls/catalogs');
      if (options.json) return printJson(items);
      printTable(items as unknown as Record<string, unknown>[], [
        'framework',
        'version',
        'name',
        'requirements',
        'assessable',
        'origin',
        'urn',
      ]);
    });

  controls
    .command('requirements')
    .description("a catalog's requirements, indented by level")
    .argument('<catalog>', 'catalog URN or framework name (pci-dss, gdpr, mojaloop-security)')
    .option('--assessable', 'only the requirements an assessment answers')
    .option('--json', 'machine-readable output')
    .action(async (given: string, options: { assessable?: boolean; json?: boolean }) => {
      const catalog = await resolveCatalog(given);
      const { requirements } = await callServer<{ requirements: Requirement[] }>(
        'GET',
        `/api/v1/controls/catalogs/${encodeURIComponent(catalog.urn)}`,
      );
      const shown = options.assessable ? requirements.filter((requirement) => requirement.assessable) : requirements;
      if (options.json) return printJson(shown);
      const top = Math.min(...shown.map((requirement) => requirement.depth));
      for (const requirement of shown)
        writeOut(
          `${'  '.repeat(requirement.depth - top)}${requirement.ref}  ${requirement.title}` +
            (requirement.assessable ? `  [${requirement.responsibility}, p${requirement.priority}]` : ''),
        );
    });

  const matrix = controls.command('matrix').description('the hub-vs-participant responsibility matrix');
  matrix
    .command('export')
    .description(
      'the matrix as CSV (standard output or --out), XLSX or PDF (--out): scheme-wide with every participant, or one participant',
    )
    .argument('<catalog>', 'catalog URN or framework name')
    .option('--participant <fspId>', 'the participant whose matrix (its overrides applied)')
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'xlsx', 'pdf']).default('csv'))
    .option('--out <file>', 'write the file here (required for xlsx and pdf)')
    .action(async (given: string, options: { participant?: string; format: ExportFormat; out?: string }) => {
      requireOut(options);
      const catalog = await resolveCatalog(given);
      const query = options.participant
        ? `?participantId=${encodeURIComponent(participantId('participant', options.participant))}`
        : '';
      await deliver(
        `/api/v1/controls/catalogs/${encodeURIComponent(catalog.urn)}/responsibility/${options.format}${query}`,
        options,
      );
    });

  const assessment = controls.command('assessment').description('assessments of one scope against one catalog');
  assessment
    .command('create')
    .description('start an assessment; every assessable requirement begins not assessed')
    .requiredOption('--catalog <catalog>', 'catalog URN or framework name')
    .requiredOption('--scope <fspId>', 'the hub or the participant assessed')
    .requiredOption('--title <title>', 'a name for this assessment')
    .option('--due <date>', 'due date, YYYY-MM-DD')
    .option('--json', 'machine-readable output')
    .action(async (options: { catalog: string; scope: string; title: string; due?: string; json?: boolean }) => {
      if (options.due !== undefined && !DATE.test(options.due))
        throw new TrustloopError('ERR_VALIDATION', `--due must be a date as YYYY-MM-DD, not '${options.due}'`);
      if (options.title.trim() === '') throw new TrustloopError('ERR_VALIDATION', '--title must not be blank');
      const catalog = await resolveCatalog(options.catalog);
      const created = await callServer<Assessment>('POST', '/api/v1/controls/assessments', {
        catalogUrn: catalog.urn,
        participantId: participantId('scope', options.scope),
        title: options.title.trim(),
        ...(options.due ? { dueDate: options.due } : {}),
      });
      if (options.json) return printJson(created);
      writeOut(`created ${headLine(created.assessment)}`);
      writeOut(`  ${created.items.length} requirements; ${summaryLine(created.summary)}`);
    });

  assessment
    .command('list')
    .description('the assessments the token may see')
    .option('--scope <fspId>', 'only this scope')
    .option('--catalog <catalog>', 'only this catalog (URN or framework name)')
    .option('--json', 'machine-readable output')
    .action(async (options: { scope?: string; catalog?: string; json?: boolean }) => {
      const query = new URLSearchParams();
      if (options.scope) query.set('participantId', participantId('scope', options.scope));
      if (options.catalog) query.set('catalog', (await resolveCatalog(options.catalog)).urn);
      const suffix = query.size > 0 ? `?${query.toString()}` : '';
      const { items } = await callServer<{ items: AssessmentHead[] }>('GET', `/api/v1/controls/assessments${suffix}`);
      if (options.json) return printJson(items);
      printTable(items as unknown as Record<string, unknown>[], [
        'id',
        'title',
        'participantId',
        'catalogUrn',
        'status',
        'version',
        'dueDate',
      ]);
    });

  assessment
    .command('show')
    .description('one assessment, every requirement evaluated against live evidence')
    .argument('<id>', 'assessment id (asm_…)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }) => {
      const shown = await callServer<Assessment>('GET', `/api/v1/controls/assessments/${assessmentId(id)}`);
      if (options.json) return printJson(shown);
      writeOut(headLine(shown.assessment));
      writeOut(`  ${summaryLine(shown.summary)}`);
      printTable(
        shown.items.map((item) => ({ ...item, evidence: item.evidenceIds.length })) as unknown as Record<
          string,
          unknown
        >[],
        ['ref', 'result', 'basis', 'party', 'evidence', 'assessor', 'dueDate'],
      );
    });

  assessment
    .command('sign-off')
    .description('freeze the evaluated assessment as its next numbered snapshot')
    .argument('<id>', 'assessment id (asm_…)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }) => {
      const signed = await callServer<Assessment>('POST', `/api/v1/controls/assessments/${assessmentId(id)}/sign-off`);
      if (options.json) return printJson(signed);
      writeOut(`signed off ${headLine(signed.assessment)}`);
      writeOut(`  ${summaryLine(signed.summary)}`);
    });

  controls
    .command('gaps')
    .description('gap report: coverage, counts, gaps ranked worst first, trend between snapshots')
    .argument('<id>', 'assessment id (asm_…)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }) => {
      const report = await callServer<GapReport>('GET', `/api/v1/controls/assessments/${assessmentId(id)}/gaps`);
      if (options.json) return printJson(report);
      writeOut(headLine(report.assessment));
      writeOut(`  ${summaryLine(report.summary)}`);
      for (const point of report.trend)
        writeOut(`  v${point.version} ${point.takenAt}: coverage ${point.coverage}%, compliance ${point.compliance}%`);
      printTable(
        report.gaps.map((gap, index) => ({ rank: index + 1, ...gap })) as unknown as Record<string, unknown>[],
        ['rank', 'ref', 'result', 'priority', 'party', 'assessor', 'dueDate'],
      );
    });

  controls
    .command('export')
    .description(
      'an assessment: ranked gaps as CSV or PDF, or OSCAL assessment results JSON (standard output, or --out)',
    )
    .argument('<id>', 'assessment id (asm_…)')
    .addOption(
      new Option('--format <format>', 'csv, pdf or oscal').choices(['csv', 'pdf', 'oscal']).makeOptionMandatory(),
    )
    .option('--out <file>', 'write the file here (required for pdf)')
    .action(async (id: string, options: { format: 'csv' | 'pdf' | 'oscal'; out?: string }) => {
      requireOut(options);
      const base = `/api/v1/controls/assessments/${assessmentId(id)}`;
      await deliver(options.format === 'oscal' ? `${base}/oscal` : `${base}/gaps/${options.format}`, options);
    });

  controls
    .command('collect')
    .description('run the automated evidence collectors now (all, or one)')
    .option(
      '--collector <id>',
      'only this collector: cpm.key-rotation, audit.chain, iam.token-hygiene, iam.access-review or pki.certificates',
    )
    .option('--json', 'machine-readable output')
    .action(async (options: { collector?: string; json?: boolean }) => {
      const { items } = await callServer<{ items: Evidence[] }>('POST', '/api/v1/controls/collectors/runs', {
        ...(options.collector ? { collector: options.collector } : {}),
      });
      if (options.json) return printJson(items);
      printTable(items as unknown as Record<string, unknown>[], [
        'id',
        'collector',
        'participantId',
        'result',
        'title',
      ]);
      const failing = items.filter((item) => item.result === 'fail').length;
      writeOut(`${items.length} evidence records, ${failing} failing`);
    });
}
