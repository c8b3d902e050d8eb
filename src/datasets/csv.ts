import { parse } from 'csv-parse/sync';
import { dataError } from './errors.js';

/** One CSV record with the line it started on (1-based), for error messages. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** Parses a small CSV file (fields trimmed, blank lines skipped); malformed CSV names the file. */
export function parseCsvRows(file: string, text: string | Uint8Array): CsvRow[] {
  try {
    const records = parse(text, {
      info: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as { info: { lines: number }; record: string[] }[];
    return records.map(({ info, record }) => ({ line: info.lines, fields: record }));
  } catch (err) {
    throw dataError(file, `malformed CSV: ${err instanceof Error ? err.message : String(err)}`);
  }
}
