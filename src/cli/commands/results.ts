import { COMMANDS } from './catalog.js';
import { InvalidArgumentError, type Command } from 'commander';
import { computeResults, formatResults, RESULTS_FORMATS, resultsLegend, type ResultsFormat } from '../../experiments/results.js';
import { DEFAULT_DB, storePath } from '../../experiments/run_folder.js';
import { openStore } from '../../experiments/open_store.js';
import { accuracyFlag } from '../flags.js';

interface Flags {
  db?: string;
  format: ResultsFormat;
  experiment?: string;
  baseline?: string;
  target?: number;
}

function format(value: string): ResultsFormat {
  if (!(RESULTS_FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${RESULTS_FORMATS.join(', ')}, got '${value}'`);
  return value as ResultsFormat;
}

export function register(program: Command): void {
  program
    .command('results')
    .description(COMMANDS.results.description)
    .argument('[run]', 'a compare run folder (its results.db); default: --db')
    .option('--db <file|url>', `results database: a SQLite file (default ${DEFAULT_DB}) or a postgres:// URL`)
    .option('--format <format>', `output format: ${RESULTS_FORMATS.join(', ')}`, format, 'table')
    .option('--experiment <name>', 'only this experiment')
    .option('--baseline <activation>', "activation to test against (default: the spec's baseline)")
    .option('--target <accuracy>', 'target accuracy for epochs-to-target, e.g. 0.9', accuracyFlag)
    .action(async (run: string | undefined, flags: Flags) => {
      const store = await openStore(storePath(run, flags.db, DEFAULT_DB), { readonly: true });
      try {
        const rows = await computeResults(store, { experiment: flags.experiment, baseline: flags.baseline, target: flags.target });
        const text = formatResults(rows, flags.format);
        process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        if (flags.format === 'table' && rows.length > 0) process.stdout.write(`\n${resultsLegend(rows)}\n`);
      } finally {
        await store.close();
      }
    });
}
