import PDFDocument from 'pdfkit';

export interface Column {
  header: string;
  /** Share of the usable page width; the shares of a table add up to 1. */
  share: number;
}

const MARGIN = 36;
const PAD = 2;
const FONT_SIZE = 7.5;
const CELL_LIMIT = 300;

/**
 * The standard PDF fonts carry WinAnsi only: anything else (a participant's name in another script)
 * is shown as '?' rather than as a wrong glyph.
 */
const printable = (text: string): string =>
  text.replace(/[^\x20-\x7E\xA0-\xFF\u2013\u2014\u2018\u2019\u201C\u201D\u2022\u2026]/g, '?');

const cell = (value: string | number | null): string => {
  const text = printable(value === null ? '' : String(value));
  return text.length > CELL_LIMIT ? `${text.slice(0, CELL_LIMIT - 1)}…` : text;
};

/** A landscape A4 report with a title block; tables and headings flow onto new pages as needed. */
export class PdfReport {
  private readonly doc: PDFKit.PDFDocument;
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;

  constructor(title: string, lines: string[]) {
    this.doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: MARGIN,
      info: { Title: printable(title), Creator: 'Trustloop', Producer: 'Trustloop' },
    });
    this.doc.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    this.done = new Promise((resolve, reject) => {
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)));
      this.doc.on('error', reject);
    });
    this.doc.font('Helvetica-Bold').fontSize(15).text(printable(title));
    this.doc.font('Helvetica').fontSize(9);
    for (const line of lines) this.doc.text(printable(line));
    this.doc.moveDown(0.5);
  }

  private get width(): number {
    return this.doc.page.width - 2 * MARGIN;
  }

  private get bottom(): number {
    return this.doc.page.height - MARGIN;
  }

  heading(text: string): void {
    if (this.doc.y + 40 > this.bottom) this.doc.addPage();
    this.doc.x = MARGIN;
    this.doc.moveDown(0.6).font('Helvetica-Bold').fontSize(11).text(printable(text)).moveDown(0.2);
  }

  paragraph(text: string): void {
    this.doc.x = MARGIN;
    this.doc.font('Helvetica').fontSize(9).text(printable(text), { width: this.width });
  }

  /** A table with a header row repeated on every page it spans; long cells wrap. */
  table(columns: Column[], rows: (string | number | null)[][]): void {
    const widths = columns.map((column) => column.share * this.width);
    const drawRow = (cells: string[], bold: boolean): void => {
      this.doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(FONT_SIZE);
      const height =
        Math.max(...cells.map((text, index) => this.doc.heightOfString(text, { width: widths[index]! - 2 * PAD }))) +
        2 * PAD;
      if (this.doc.y + height > this.bottom) {
        this.doc.addPage();
        if (!bold)
          drawRow(
            columns.map((column) => column.header),
            true,
          );
        this.doc.font('Helvetica').fontSize(FONT_SIZE);
      }
      const top = this.doc.y;
      let x = MARGIN;
      for (const [index, text] of cells.entries()) {
        this.doc.text(text, x + PAD, top + PAD, { width: widths[index]! - 2 * PAD, lineBreak: true });
        x += widths[index]!;
      }
      this.doc
        .moveTo(MARGIN, top + height)
        .lineTo(MARGIN + this.width, top + height)
        .lineWidth(bold ? 0.8 : 0.3)
        .strokeColor('#999999')
        .stroke();
      this.doc.x = MARGIN;
      this.doc.y = top + height;
    };
    drawRow(
      columns.map((column) => column.header),
      true,
    );
    for (const row of rows) drawRow(row.map(cell), false);
  }

  /** Ends the document and returns its bytes. */
  finish(): Promise<Buffer> {
    this.doc.end();
    return this.done;
  }
}
