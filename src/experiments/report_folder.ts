/**
 * Which results store a report folder belongs to. A report's files (report.html, charts/,
 * results.*) are rewritten in place, so writing the report of one store into the folder of
 * another run would replace that run's report and mix both runs' charts: refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { writeFileAtomic } from '../reports/write.js';
import { RUN_STORE_FILE } from './run_folder.js';

/** The file in a report folder naming the store it was drawn from. */
export const REPORT_SOURCE_FILE = '.lisht-report.json';

/** A store's identity as a report records it: an absolute file path, or the database URL. */
export function reportSource(storePath: string): string {
  return /^postgres(ql)?:\/\//.test(storePath) ? storePath : resolve(storePath);
}

function recordedSource(out: string): string | undefined {
  try {
    const source = (JSON.parse(readFileSync(join(out, REPORT_SOURCE_FILE), 'utf8')) as { source?: unknown }).source;
    return typeof source === 'string' ? source : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Throws (exit 73) when `out` holds another run: a compare run folder of another store, or a
 * report drawn from another store (or from one this version cannot tell).
 */
export function checkReportFolder(out: string, storePath: string): void {
  const source = reportSource(storePath);
  const runStore = join(out, RUN_STORE_FILE);
  const ownRunFolder = existsSync(runStore) && resolve(runStore) === source;
  if (existsSync(runStore) && !ownRunFolder) {
    throw new UserError(`--out ${out} is another run's folder (it holds ${RUN_STORE_FILE}); the report of ${source} would replace that run's report. Choose a new folder`, EXIT.CANT_CREATE);
  }
  if (ownRunFolder || !existsSync(join(out, 'report.html'))) return;
  const recorded = recordedSource(out);
  if (recorded !== source) {
    throw new UserError(
      `--out ${out} holds the report of ${recorded ?? 'another run'}; writing the report of ${source} there would mix the two. Choose a new folder, or remove that one first`,
      EXIT.CANT_CREATE,
    );
  }
}

/** Records in `out` which store its report was drawn from (a run folder's own store needs no record). */
export async function recordReportSource(out: string, storePath: string): Promise<void> {
  if (resolve(out, RUN_STORE_FILE) === reportSource(storePath)) return;
  await writeFileAtomic(join(out, REPORT_SOURCE_FILE), JSON.stringify({ source: reportSource(storePath) }) + '\n');
}
