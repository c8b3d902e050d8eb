import type { Command } from 'commander';
import { compare, type CompareEvent } from '../../experiments/compare.js';
import { comparisonTable } from '../../experiments/compare_outputs.js';
import { formatTable } from '../../reports/table.js';
import { ProgressBar } from '../../training/progress.js';
import { nameList, nonNegativeInt, positiveInt } from '../flags.js';

interface Flags {
  dataset?: string;
  data?: string;
  model?: string;
  activations?: string[];
  epochs?: number;
  batchSize?: number;
  seed?: number;
  limitTrain?: number;
  limitTest?: number;
  backend?: string;
  out?: string;
  resume?: string;
}

/** Exit status of a run stopped by Ctrl-C, as shells report SIGINT. */
const EXIT_INTERRUPTED = 130;

function describe(event: CompareEvent): string | undefined {
  switch (event.type) {
    case 'dataset':
      return `Data: ${event.name}, ${event.train} training and ${event.test} test examples (${event.source})`;
    case 'backend':
      return `Backend: ${event.backend}`;
    case 'model-start':
      return `\n${event.summary}\n${event.resumedAfterEpoch > 0 ? `Resuming ${event.activation} after epoch ${event.resumedAfterEpoch}` : `Training ${event.activation}`}`;
    case 'model-end': {
      const r = event.result;
      if (r.status === 'done') return `${r.activation}: test accuracy ${r.test_accuracy?.toFixed(4)}`;
      return `${r.activation}: ${r.status}${r.error ? ` (${r.error})` : ''}`;
    }
    case 'outputs':
      return `\nWrote to ${event.dir}: ${event.files.join(', ')}`;
  }
}

export function register(program: Command): void {
  program
    .command('compare')
    .description("Train the same model once per activation on identical data and seed (the original article's LiSHT vs ReLU experiment)")
    .option('--dataset <name>', 'data set', 'cifar10')
    .option('--data <path>', 'local archive or folder of the data set (no download)')
    .option('--model <name>', 'model architecture', 'seed-cnn')
    .option('--activations <list>', 'comma-separated activations', nameList, ['lisht', 'relu'])
    .option('--epochs <n>', 'epochs per model', positiveInt, 50)
    .option('--batch-size <n>', 'batch size', positiveInt, 100)
    .option('--seed <n>', 'seed of initial weights and shuffling (random when absent, recorded)', nonNegativeInt)
    .option('--limit-train <n>', 'use only the first N training examples', positiveInt)
    .option('--limit-test <n>', 'use only the first N test examples', positiveInt)
    .option('--backend <name>', 'auto, tensorflow, native, wasm or cpu', 'auto')
    .option('--out <dir>', 'output folder (default runs/<dataset>-<timestamp>)')
    .option('--resume <dir>', 'continue an interrupted comparison in this folder')
    .action(async (flags: Flags, command: Command) => {
      const controller = new AbortController();
      const onSigint = () => {
        process.stderr.write('\nStopping after this step and writing what was measured (Ctrl-C again to quit at once)\n');
        controller.abort();
        process.once('SIGINT', () => process.exit(EXIT_INTERRUPTED));
      };
      process.once('SIGINT', onSigint);
      // With --resume, the folder's own settings apply; only an explicit --backend overrides.
      const explicit = (name: string) => command.getOptionValueSource(name) === 'cli';
      const options = flags.resume
        ? { resume: flags.resume, backend: explicit('backend') ? flags.backend : undefined }
        : flags;
      let outDir = '';
      try {
        const summary = await compare(options, {
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'outputs') outDir = e.dir;
            const line = describe(e);
            if (line !== undefined) process.stdout.write(line + '\n');
          },
          callbacks: (activation) => [new ProgressBar(process.stdout, process.stdout.isTTY ? '' : `[${activation}] `)],
        });
        const { columns, rows } = comparisonTable(summary);
        process.stdout.write(`\n${formatTable(columns, rows)}\n`);
        if (summary.status === 'interrupted') {
          process.stdout.write(`\nInterrupted. Continue with: lisht compare --resume ${outDir}\n`);
          process.exitCode = EXIT_INTERRUPTED;
        } else if (summary.status === 'failed') {
          process.exitCode = 1;
        }
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
