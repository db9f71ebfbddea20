/**
 * A plain-text table: columns padded to their widest cell, two spaces apart. In the core so
 * the alerts report (alertsReport.ts) can print one; the CLI's other tables reach it through
 * src/cli/output.ts.
 */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
