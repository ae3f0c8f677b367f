/** The CLI's only ways to speak: results on stdout, one-line errors on stderr, exit codes by meaning. */
export const writeOut = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

export const writeErr = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

/** Exit 2 for bad input or configuration, 1 for a failed operation. */
export function fail(code: string, message: string, exitCode: 1 | 2): void {
  writeErr(`trustloop: ${code}: ${message}`);
  process.exitCode = exitCode;
}

export function printJson(value: unknown): void {
  writeOut(JSON.stringify(value, null, 2));
}

/** A plain aligned table for people; `--json` gives machines the full records. */
export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) {
    writeOut('(none)');
    return;
  }
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  writeOut(line(columns));
  for (const values of cells) writeOut(line(values));
}

const formatCell = (value: unknown): string => (value === null || value === undefined ? '-' : String(value));
