import ExcelJS from 'exceljs';
import { PARTIES, type Party } from '../catalog/model.js';
import type { EffectiveResponsibility } from '../evaluate.js';
import { deviations, type MatrixBook } from '../matrix.js';
import { PdfReport } from './pdf.js';

const countParties = (rows: EffectiveResponsibility[]): Record<Party, number> => {
  const counts = Object.fromEntries(PARTIES.map((party) => [party, 0])) as Record<Party, number>;
  for (const row of rows) counts[row.party] += 1;
  return counts;
};

const scopeLine = (book: MatrixBook): string =>
  book.participants.length === 1
    ? `Participant: ${book.participants[0]!.id} (${book.participants[0]!.name})${book.participants[0]!.hosted ? ", on the hub's hosted service" : ''}`
    : `Scheme-wide, with ${book.participants.length} participants`;

const MATRIX_COLUMNS: Partial<ExcelJS.Column>[] = [
  { header: 'Requirement', key: 'ref', width: 12 },
  { header: 'Title', key: 'title', width: 60 },
  { header: 'Party', key: 'party', width: 15 },
  { header: 'Hub duty', key: 'hubDuty', width: 40 },
  { header: 'Participant duty', key: 'participantDuty', width: 40 },
  { header: 'Reason', key: 'reason', width: 40 },
  { header: 'Origin', key: 'origin', width: 12 },
];

/**
 * The matrix as an XLSX workbook: `About`, `Scheme` (the scheme-wide answer), `Overrides` (every
 * row where a participant departs from it, by its own override or the hosted rule) and `Grid`
 * (requirement × participant, the party in force). Cells are plain values, never formulas.
 */
export async function matrixXlsx(book: MatrixBook): Promise<Buffer> {
  const { catalog } = book;
  const title = (ref: string) => catalog.byRef.get(ref)!.title;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Trustloop';
  workbook.created = new Date(book.generatedAt);
  workbook.title = `Responsibility matrix: ${catalog.name} ${catalog.version}`;

  const about = workbook.addWorksheet('About');
  about.columns = [
    { header: 'Field', key: 'field', width: 20 },
    { header: 'Value', key: 'value', width: 70 },
  ];
  about.addRows([
    { field: 'Catalog', value: `${catalog.name} ${catalog.version}` },
    { field: 'Catalog URN', value: catalog.urn },
    { field: 'Scope', value: scopeLine(book) },
    { field: 'Generated', value: book.generatedAt },
    { field: 'Requirements', value: book.scheme.length },
  ]);

  const scheme = workbook.addWorksheet('Scheme');
  scheme.columns = MATRIX_COLUMNS;
  scheme.addRows(book.scheme.map((row) => ({ ...row, title: title(row.ref) })));

  const overrides = workbook.addWorksheet('Overrides');
  overrides.columns = [
    { header: 'Participant', key: 'participant', width: 16 },
    { header: 'Hosted', key: 'hosted', width: 8 },
    ...MATRIX_COLUMNS,
  ];
  for (const participant of book.participants)
    overrides.addRows(
      deviations(participant).map((row) => ({
        ...row,
        participant: participant.id,
        hosted: participant.hosted ? 'yes' : 'no',
        title: title(row.ref),
      })),
    );

  const grid = workbook.addWorksheet('Grid');
  grid.columns = [
    { header: 'Requirement', key: 'ref', width: 12 },
    { header: 'Title', key: 'title', width: 50 },
    { header: 'Scheme', key: 'scheme', width: 14 },
    ...book.participants.map((participant) => ({ header: participant.id, width: 14 })),
  ];
  for (const [index, row] of book.scheme.entries())
    grid.addRow([
      row.ref,
      title(row.ref),
      row.party,
      ...book.participants.map((participant) => participant.rows[index]!.party),
    ]);

  for (const sheet of [about, scheme, overrides, grid]) {
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * The matrix as a PDF: the scheme-wide table, a line per participant (hosted, overrides, parties)
 * and every participant override in full. The hosted rule is counted, not listed row by row, so
 * the document stays bounded by the overrides people actually wrote.
 */
export function matrixPdf(book: MatrixBook): Promise<Buffer> {
  const { catalog } = book;
  const counts = countParties(book.scheme);
  const report = new PdfReport(`Responsibility matrix: ${catalog.name} ${catalog.version}`, [
    `Catalog ${catalog.urn}`,
    scopeLine(book),
    `Generated ${book.generatedAt}`,
  ]);
  report.heading(`Scheme-wide (${book.scheme.length} assessable requirements)`);
  report.paragraph(PARTIES.map((party) => `${party}: ${counts[party]}`).join('   '));
  report.table(
    [
      { header: 'Requirement', share: 0.08 },
      { header: 'Title', share: 0.3 },
      { header: 'Party', share: 0.09 },
      { header: 'Hub duty', share: 0.17 },
      { header: 'Participant duty', share: 0.17 },
      { header: 'Reason', share: 0.12 },
      { header: 'Origin', share: 0.07 },
    ],
    book.scheme.map((row) => [
      row.ref,
      catalog.byRef.get(row.ref)!.title,
      row.party,
      row.hubDuty,
      row.participantDuty,
      row.reason,
      row.origin,
    ]),
  );
  if (book.participants.length === 0) return report.finish();

  report.heading('Participants');
  report.table(
    [
      { header: 'Participant', share: 0.14 },
      { header: 'Name', share: 0.22 },
      { header: 'Hosted', share: 0.08 },
      { header: 'Overrides', share: 0.1 },
      { header: 'Inherited from hub', share: 0.12 },
      ...PARTIES.map((party) => ({ header: party, share: 0.085 })),
    ],
    book.participants.map((participant) => {
      const own = countParties(participant.rows);
      return [
        participant.id,
        participant.name,
        participant.hosted ? 'yes' : 'no',
        participant.rows.filter((row) => row.origin === 'participant').length,
        participant.rows.filter((row) => row.origin === 'hosted').length,
        ...PARTIES.map((party) => own[party]),
      ];
    }),
  );

  const overrides = book.participants.flatMap((participant) =>
    participant.rows.filter((row) => row.origin === 'participant').map((row) => ({ participant, row })),
  );
  report.heading(`Participant overrides (${overrides.length})`);
  if (overrides.length === 0) report.paragraph('No participant departs from the scheme-wide matrix by an override.');
  else
    report.table(
      [
        { header: 'Participant', share: 0.12 },
        { header: 'Requirement', share: 0.08 },
        { header: 'Title', share: 0.24 },
        { header: 'Party', share: 0.09 },
        { header: 'Hub duty', share: 0.16 },
        { header: 'Participant duty', share: 0.16 },
        { header: 'Reason', share: 0.15 },
      ],
      overrides.map(({ participant, row }) => [
        participant.id,
        row.ref,
        catalog.byRef.get(row.ref)!.title,
        row.party,
        row.hubDuty,
        row.participantDuty,
        row.reason,
      ]),
    );
  return report.finish();
}
