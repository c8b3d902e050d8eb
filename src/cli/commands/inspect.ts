import { COMMANDS } from './catalog.js';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { inspect, DEFAULTS, type InspectEvent } from '../../inspect/inspect.js';
import { nameList, nonNegativeInt, positiveInt } from '../flags.js';

interface Flags {
  grid: number;
  subset: number;
  images: number;
  seed?: number;
  range: number;
  batchSize: number;
  backend: string;
  activations?: string[];
  db?: string;
  experiment?: string;
  dataset?: string;
  model?: string;
  trialSeed?: number;
  out?: string;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  // Checked again (with a UserError) by the library; this only keeps non-numbers out.
  return Number.isFinite(n) ? n : NaN;
}

/** Progress lines: at most one per 10% of a landscape, so logs stay short. */
function describe(e: InspectEvent): string | undefined {
  switch (e.type) {
    case 'backend':
      return `Backend: ${e.backend}`;
    case 'activation':
      return `Inspecting ${e.activation} (initial weights ${e.initialWeights === 'saved' ? 'saved by the run' : 'rebuilt from the seed'})`;
    case 'progress': {
      const step = Math.max(1, Math.round(e.total / 10));
      if (e.done % step !== 0 && e.done !== e.total) return undefined;
      return `  ${e.stage} ${e.done}/${e.total}`;
    }
    case 'outputs':
      return `Wrote to ${e.dir}: ${e.files.join(', ')}`;
  }
}

export function register(program: Command): void {
  program
    .command('inspect')
    .argument('[run]', 'a compare output folder (or use --db for trials of the results store)')
    .description(COMMANDS.inspect.description)
    .option('--grid <n>', 'points per side of the 2-D loss surface (and of the 1-D line), at least 3', positiveInt, DEFAULTS.grid)
    .option('--subset <n>', 'training examples the landscape loss is measured on', positiveInt, DEFAULTS.subset)
    .option('--images <n>', 'test images whose activation maps are drawn', nonNegativeInt, DEFAULTS.images)
    .option('--seed <n>', "seed of the random directions (default: the run's seed)", nonNegativeInt)
    .option('--range <r>', 'the 2-D surface spans [-r, r] along each direction', positiveNumber, DEFAULTS.range)
    .option('--batch-size <n>', 'batch size of the landscape forward passes', positiveInt, DEFAULTS.batchSize)
    .option('--backend <name>', 'auto, tensorflow, native, wasm or cpu', DEFAULTS.backend)
    .option('--activations <list>', 'only these activations of the run', nameList)
    .option('--db <file|url>', 'inspect trials of this results store (lisht run: a SQLite file or a postgres:// URL) instead of a run folder')
    .option('--experiment <name>', 'with --db: the experiment (default: the only one)')
    .option('--dataset <name>', 'with --db: the data set, when the experiment has several')
    .option('--model <label>', 'with --db: the model label, when the experiment has several')
    .option('--trial-seed <n>', 'with --db: the seed of the trials (default: the lowest finished)', nonNegativeInt)
    .option('--out <dir>', 'with --db: folder to write the run, its pictures and report into')
    .action(async (run: string | undefined, flags: Flags) => {
      const hooks = {
        onEvent: (e: InspectEvent) => {
          const line = describe(e);
          if (line !== undefined) process.stdout.write(line + '\n');
        },
      };
      const { db, experiment, dataset, model, trialSeed, out, ...common } = flags;
      const storeOnly = { experiment, dataset, model, trialSeed, out };
      const given = Object.entries(storeOnly).filter(([, v]) => v !== undefined).map(([k]) => k);
      if (run !== undefined && given.length > 0) throw new UserError(`${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} only go with --db`);
      const data = await inspect({ run, db, ...storeOnly, ...common }, hooks);
      for (const a of data.activations) {
        const l = a.landscape_1d;
        process.stdout.write(
          `${a.activation}: loss initial ${l.loss[0]?.toFixed(4)} -> trained ${l.loss[l.loss.length - 1]?.toFixed(4)}; 2-D surface ${data.grid}x${data.grid} in ${a.landscape_2d.seconds.toFixed(1)}s (${a.landscape_2d.cpu_seconds.toFixed(1)}s CPU)\n`,
        );
      }
      process.stdout.write(`Done in ${data.seconds.toFixed(1)}s\n`);
    });
}
