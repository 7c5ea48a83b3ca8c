import type { BenchCell, BenchReport } from './suite';

/** Numbers get up to 3 significant decimals; missing values print as a dash. */
export function formatCell(value: BenchCell | undefined): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toString();
  const magnitude = Math.abs(value);
  return value.toFixed(magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3);
}

/** A plain-text table with right-aligned numbers, as printed by `npm run bench`. */
export function formatTable(report: Pick<BenchReport, 'columns' | 'rows'>): string {
  const { columns, rows } = report;
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((line) => line[index]!.length)));
  const numeric = columns.map((column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number' || row[column] == null));
  const pad = (text: string, index: number) => (numeric[index] ? text.padStart(widths[index]!) : text.padEnd(widths[index]!));
  const header = columns.map((column, index) => pad(column, index)).join(' | ');
  const rule = widths.map((width) => '-'.repeat(width)).join('-|-');
  const body = cells.map((line) => line.map((text, index) => pad(text, index)).join(' | '));
  return [header, rule, ...body].join('\n');
}
