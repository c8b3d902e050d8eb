/**
 * Tables as plain text (CLI output), Markdown and CSV, from one description: columns plus rows of
 * cells in column order. The HTML report renders the same description (see `html.ts`).
 */

/** One table cell. `null`/`undefined` print as empty. */
export type Cell = string | number | boolean | null | undefined;

/** A row: one cell per column, in column order. */
export type Row = readonly Cell[];

export interface Column {
  header: string;
  /** Default: right when every non-empty cell of the column is a number, else left. */
  align?: 'left' | 'right';
  /** How cells print in text, Markdown and HTML. CSV ignores it and writes raw values. */
  format?: (value: Cell) => string;
}

/**
 * Default number format: integers as they are; other values with 4 decimals in the range where
 * that is readable, exponent notation outside it (so a loss of 3e-7 does not print as 0.0000).
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e9 ? value.toFixed(4) : value.toExponential(3);
}

/** A formatter with a fixed number of decimals, e.g. `fixed(2)` prints 0.7 as "0.70". */
export function fixed(digits: number): (value: Cell) => string {
  return (value) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : defaultFormat(value));
}

/** A formatter for fractions as percentages, e.g. `percent(1)` prints 0.7123 as "71.2%". */
export function percent(digits = 1): (value: Cell) => string {
  return (value) =>
    typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : defaultFormat(value);
}

function defaultFormat(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

/** The text of one cell as text, Markdown and HTML tables show it. */
export function formatCell(column: Column, value: Cell): string {
  return column.format ? column.format(value) : defaultFormat(value);
}

/** The alignment a column gets: its own, or right for all-number columns. */
export function columnAlign(columns: readonly Column[], rows: readonly Row[], index: number): 'left' | 'right' {
  const explicit = columns[index]?.align;
  if (explicit) return explicit;
  let numbers = 0;
  for (const row of rows) {
    const v = row[index];
    if (v === null || v === undefined || v === '') continue;
    if (typeof v !== 'number') return 'left';
    numbers++;
  }
  return numbers > 0 ? 'right' : 'left';
}

/** Throws on rows whose length does not match the columns: a silent shift would mislabel data. */
export function checkRows(columns: readonly Column[], rows: readonly Row[]): void {
  rows.forEach((row, i) => {
    if (row.length !== columns.length) throw new RangeError(`row ${i} has ${row.length} cells for ${columns.length} columns`);
  });
}

/** Code points, so "±" or "–" count as one column. */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function pad(text: string, to: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Line breaks or tabs inside a cell would break the grid. */
function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\t]/g, ' ');
}

function grid(columns: readonly Column[], rows: readonly Row[]) {
  checkRows(columns, rows);
  const header = columns.map((c) => oneLine(c.header));
  const body = rows.map((row) => row.map((v, i) => oneLine(formatCell(columns[i]!, v))));
  const widths = columns.map((_, i) => Math.max(width(header[i]!), ...body.map((r) => width(r[i]!))));
  const aligns = columns.map((_, i) => columnAlign(columns, rows, i));
  return { header, body, widths, aligns };
}

/**
 * An aligned plain-text table for the terminal, with a rule under the header:
 *
 * ```
 * activation  test acc
 * ----------  --------
 * lisht         0.7123
 * ```
 *
 * No trailing newline and no trailing spaces.
 */
export function formatTable(columns: readonly Column[], rows: readonly Row[]): string {
  const { header, body, widths, aligns } = grid(columns, rows);
  const line = (cells: readonly string[]) => cells.map((c, i) => pad(c, widths[i]!, aligns[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A GitHub-flavoured Markdown table, padded so it also reads well as plain text. No trailing newline. */
export function formatMarkdownTable(columns: readonly Column[], rows: readonly Row[]): string {
  const escape = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
  const { header, body, aligns } = grid(columns, rows);
  const escapedHeader = header.map(escape);
  const escapedBody = body.map((r) => r.map(escape));
  const widths = columns.map((_, i) => Math.max(3, width(escapedHeader[i]!), ...escapedBody.map((r) => width(r[i]!))));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => pad(c, widths[i]!, aligns[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (aligns[i] === 'right' ? ` ${'-'.repeat(w - 1)}: ` : ` ${'-'.repeat(w)} `)).join('|')}|`;
  return [line(escapedHeader), rule, ...escapedBody.map(line)].join('\n');
}

/** RFC 4180 quoting: fields with a comma, quote, line break or edge spaces are quoted, quotes doubled. */
function csvField(value: Cell): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV with a header row, one line per row, `\n` line ends and a final newline. Numbers are
 * written in full precision (column `format`s are for people, CSV is for programs).
 */
export function formatCsv(columns: readonly Column[], rows: readonly Row[]): string {
  checkRows(columns, rows);
  const lines = [columns.map((c) => csvField(c.header)), ...rows.map((row) => row.map(csvField))];
  return lines.map((cells) => cells.join(',')).join('\n') + '\n';
}
