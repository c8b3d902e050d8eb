import { COMMANDS } from './catalog.js';
import { Option, type Command } from 'commander';
import { EXIT } from '../../exit_codes.js';
import { stopOnSignals } from '../stop_signals.js';
import { compare, type CompareEvent } from '../../experiments/compare.js';
import { COMPARE_DEFAULTS as D } from '../../experiments/compare_options.js';
import { comparisonTable, describeSplit } from '../../experiments/compare_outputs.js';
import { DEFAULT_MODELS } from '../../models/defaults.js';
import { formatTable } from '../../reports/table.js';
import { MONITORS } from '../../training/early_stopping.js';
import { OPTIMIZER_NAMES } from '../../training/optimizers.js';
import { ProgressBar } from '../../training/progress.js';
import { SCHEDULE_NAMES } from '../../training/schedules.js';
import { ALLOW_EMULATED_HELP, precisionOption } from '../precision_flags.js';
import type { Precision } from '../../backends/native/precision.js';
import { nameList, nonNegativeInt, nonNegativeNumber, positiveInt, positiveIntList, positiveNumber, unitInterval } from '../flags.js';
import { shellQuote } from '../../shell_quote.js';

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
  precision?: Precision;
  allowEmulatedBf16?: boolean;
  out?: string;
  resume?: string;
  force?: boolean;
  optimizer?: 'adam' | 'sgd';
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  schedule?: 'none' | 'step' | 'cosine';
  milestones?: number[];
  augment?: boolean;
  earlyStopping?: number;
  earlyStoppingMonitor?: (typeof MONITORS)[number];
  fromTestSet?: boolean;
  hiddenUnits?: number[];
  gradientFlow?: boolean;
  keras?: boolean;
}

function describe(event: CompareEvent): string | undefined {
  switch (event.type) {
    case 'dataset':
      return `Data: ${event.name}, ${event.train} training and ${event.test} test examples (${event.source}; split: ${describeSplit(event.split)})`;
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
    .description(COMMANDS.compare.description)
    .option('--dataset <name>', 'data set', D.dataset)
    .option('--data <path>', 'local archive or folder of the data set (no download)')
    .option(
      '--model <name>',
      `model architecture (default: the data set's own: ${Object.entries(DEFAULT_MODELS)
        .map(([d, m]) => `${d} ${m}`)
        .join(', ')})`,
    )
    .option('--activations <list>', 'comma-separated activations', nameList, D.activations)
    .option('--epochs <n>', 'epochs per model', positiveInt, D.epochs)
    .option('--batch-size <n>', 'batch size', positiveInt, D.batchSize)
    .option('--seed <n>', 'seed of initial weights and shuffling (random when absent, recorded)', nonNegativeInt)
    .option('--limit-train <n>', 'use only the first N training examples', positiveInt)
    .option('--limit-test <n>', 'use only the first N test examples', positiveInt)
    .option('--backend <name>', 'auto, tensorflow, native, wasm or cpu', D.backend)
    .addOption(precisionOption().default(D.precision))
    .option('--allow-emulated-bf16', ALLOW_EMULATED_HELP)
    .option('--out <dir>', 'output folder (default runs/<dataset>-<timestamp>)')
    .option('--resume <dir>', 'continue an interrupted comparison in this folder (with no other settings than it was started with; --backend may differ)')
    .option('--force', 'with --out: replace the comparison in a non-empty folder (other files there are kept)')
    .addOption(new Option('--optimizer <name>', 'adam (Keras defaults, the article) or sgd (momentum, He et al.)').choices(OPTIMIZER_NAMES).default(D.optimizer))
    .option('--lr <rate>', 'learning rate (default 0.001 for adam, 0.1 for sgd)', positiveNumber)
    .option('--momentum <m>', 'sgd momentum in [0, 1) (default 0.9)', unitInterval)
    .option('--weight-decay <wd>', 'L2 weight decay added to the gradients (default 0 for adam, 1e-4 for sgd)', nonNegativeNumber)
    .addOption(new Option('--schedule <name>', 'learning-rate schedule per epoch: none, step (x0.1 at the milestones), cosine').choices(SCHEDULE_NAMES).default(D.schedule))
    .option('--milestones <epochs>', 'step schedule: comma-separated epochs from which the rate is x0.1 once more (default 50% and 75% of --epochs)', positiveIntList)
    .option('--augment', 'pad 4 pixels, random crop, random horizontal flip of training images (CIFAR augmentation)')
    .option('--early-stopping <patience>', 'stop a model after this many epochs without improvement', nonNegativeInt)
    .addOption(new Option('--early-stopping-monitor <metric>', 'metric early stopping watches').choices(MONITORS).default(D.earlyStoppingMonitor))
    .option('--from-test-set', 'mnist/fashion-mnist: split the official test set into train and test (for folders holding only the t10k files)')
    .option('--hidden-units <list>', 'mlp: comma-separated hidden layer widths (default 256,128)', positiveIntList)
    .option('--no-gradient-flow', 'do not record per-layer gradient flow (one probe batch per epoch; see lisht inspect)')
    .option('--keras', 'also save each trained model as a Keras 3 file, models/<activation>/model.keras')
    .action(async (allFlags: Flags, command: Command) => {
      // --keras chooses an extra output file, not a setting of the comparison.
      const { keras, ...flags } = allFlags;
      const stop = stopOnSignals('stopping after this step and writing what was measured');
      // With --resume, the folder's own settings apply: the flags given explicitly go with it, so
      // that compare can refuse the ones that conflict; only --backend may change.
      const explicit = (name: string) => command.getOptionValueSource(name) === 'cli';
      const options = flags.resume ? Object.fromEntries(Object.entries(flags).filter(([k]) => explicit(k))) : flags;
      let outDir = '';
      try {
        const summary = await compare(options, {
          signal: stop.signal,
          kerasModels: keras === true,
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
          process.stdout.write(`\nInterrupted. Continue with: lisht compare --resume ${shellQuote(outDir)}\n`);
          process.exitCode = EXIT.INTERRUPTED;
        } else if (summary.status === 'failed') {
          process.exitCode = EXIT.FAILED;
        }
      } finally {
        stop.release();
      }
    });
}
