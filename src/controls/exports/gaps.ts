import type { AssessmentResult } from '../../core/db/schema.js';
import type { Catalog } from '../catalog/model.js';
import type { EvaluatedItem, Summary } from '../evaluate.js';
import type { AssessmentRow } from '../store.js';
import { PdfReport } from './pdf.js';

export interface GapReportData {
  assessment: AssessmentRow;
  summary: Summary;
  gaps: EvaluatedItem[];
  trend: ({ version: number; takenAt: string } & Summary)[];
}

/** One row per gap, worst first: rank, requirement, title, result, basis, priority, owner, assessor, due date. */
export function gapRows(gaps: EvaluatedItem[], catalog: Catalog): (string | number | null)[][] {
  return gaps.map((gap, index) => [
    index + 1,
    gap.ref,
    catalog.byRef.get(gap.ref)!.title,
    gap.result,
    gap.basis,
    gap.priority,
    gap.party,
    gap.assessor,
    gap.dueDate,
  ]);
}

const COUNTED: AssessmentResult[] = [
  'compliant',
  'partially-compliant',
  'non-compliant',
  'not-assessed',
  'not-applicable',
];

/** The gap report of one scope and catalog as a PDF: summary, trend between snapshots, gaps worst first. */
export function gapReportPdf(report: GapReportData, catalog: Catalog, generatedAt: string): Promise<Buffer> {
  const { assessment, summary } = report;
  const pdf = new PdfReport(`Gap report: ${assessment.title}`, [
    `Scope ${assessment.participant_id}, catalog ${catalog.name} ${catalog.version} (${catalog.urn})`,
    `Assessment ${assessment.id}, ${assessment.status}` +
      (assessment.version > 0 ? `, snapshot v${assessment.version}` : '') +
      (assessment.due_date ? `, due ${assessment.due_date}` : ''),
    `Generated ${generatedAt}`,
  ]);
  pdf.heading('Summary');
  pdf.table(
    [
      { header: 'Applicable', share: 0.11 },
      { header: 'Coverage %', share: 0.11 },
      { header: 'Compliance %', share: 0.11 },
      ...COUNTED.map((result) => ({ header: result, share: 0.134 })),
    ],
    [[summary.applicable, summary.coverage, summary.compliance, ...COUNTED.map((result) => summary.counts[result])]],
  );
  if (report.trend.length > 0) {
    pdf.heading('Trend between signed-off snapshots');
    pdf.table(
      [
        { header: 'Snapshot', share: 0.1 },
        { header: 'Taken', share: 0.25 },
        { header: 'Coverage %', share: 0.13 },
        { header: 'Compliance %', share: 0.13 },
        { header: 'Non-compliant', share: 0.13 },
        { header: 'Partial', share: 0.13 },
        { header: 'Not assessed', share: 0.13 },
      ],
      report.trend.map((point) => [
        `v${point.version}`,
        point.takenAt,
        point.coverage,
        point.compliance,
        point.counts['non-compliant'],
        point.counts['partially-compliant'],
        point.counts['not-assessed'],
      ]),
    );
  }
  pdf.heading(`Gaps, worst first (${report.gaps.length})`);
  if (report.gaps.length === 0) pdf.paragraph('No open gaps: every applicable requirement is compliant.');
  else
    pdf.table(
      [
        { header: 'Rank', share: 0.05 },
        { header: 'Requirement', share: 0.09 },
        { header: 'Title', share: 0.33 },
        { header: 'Result', share: 0.12 },
        { header: 'Basis', share: 0.09 },
        { header: 'Priority', share: 0.06 },
        { header: 'Owner', share: 0.08 },
        { header: 'Assessor', share: 0.1 },
        { header: 'Due', share: 0.08 },
      ],
      gapRows(report.gaps, catalog),
    );
  return pdf.finish();
}
