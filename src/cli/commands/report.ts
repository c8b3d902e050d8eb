import { COMMANDS } from './catalog.js';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { lockFolder } from '../../experiments/folder_lock.js';
import { writeReport } from '../../experiments/report.js';
import { makeDir } from '../../make_dir.js';
import { DEFAULT_DB, storePath } from '../../experiments/run_folder.js';
import { openStore } from '../../experiments/open_store.js';
import { accuracyFlag, dataFlag } from '../flags.js';

interface Flags {
  db?: string;
  out?: string;
  experiment?: string;
  baseline?: string;
  target?: number;
  data?: Record<string, string>;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(COMMANDS.report.description)
    .option('--out <dir>', 'folder to write report.html, charts/*.png and results.{md,csv,json} into (default: <run>/report for a run folder)')
    .argument('[run]', 'a compare run folder (its results.db); default: --db')
    .option('--db <file|url>', `results database: a SQLite file (default ${DEFAULT_DB}) or a postgres:// URL`)
    .option('--experiment <name>', 'only this experiment')
    .option('--baseline <activation>', "activation to test against (default: the spec's baseline)")
    .option('--target <accuracy>', 'target accuracy for epochs-to-target, e.g. 0.9', accuracyFlag)
    .option('--data <name=path>', 'local data for the sample images of a data set (repeatable)', dataFlag)
    .action(async (run: string | undefined, flags: Flags) => {
      const store = await openStore(storePath(run, flags.db, DEFAULT_DB), { readonly: true });
      try {
        const out = flags.out ?? (run !== undefined ? join(run, 'report') : undefined);
        if (out === undefined) throw new UserError('--out is required with --db: the folder to write the report into');
        await makeDir(out);
        // One writer per folder: `--out` may be a run folder that a compare still writes.
        const lock = lockFolder(out, 'lisht report');
        let result;
        try {
          result = await writeReport(store, { out, experiment: flags.experiment, baseline: flags.baseline, target: flags.target, data: flags.data });
        } finally {
          lock.release();
        }
        for (const note of result.notes) process.stderr.write(`lisht: note: ${note}\n`);
        process.stdout.write(`Wrote ${result.html} with ${result.charts} charts; PNG copies and results.{md,csv,json} beside it\n`);
      } finally {
        await store.close();
      }
    });
}
