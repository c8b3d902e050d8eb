import { COMMANDS } from './catalog.js';
import { EXIT } from '../../exit_codes.js';
import { UserError } from '../../errors.js';
import { stopOnSignals } from '../stop_signals.js';
import type { Command } from 'commander';
import { createProgressReporter } from '../../datasets/progress.js';
import { DEFAULT_DB, runExperiment, type RunEvent } from '../../experiments/runner.js';
import type { WorkerEvent } from '../../experiments/worker_protocol.js';
import { dataFlag, nonNegativeInt, positiveInt } from '../flags.js';
import { ALLOW_EMULATED_ENV, type Precision } from '../../backends/native/precision.js';
import { ALLOW_EMULATED_HELP, precisionOption } from '../precision_flags.js';
import { shellQuote } from '../../shell_quote.js';

interface Flags {
  db: string;
  workers: number;
  data?: Record<string, string>;
  backend?: string;
  precision?: Precision;
  allowEmulatedBf16?: boolean;
  busyTimeout?: number;
  gradientFlow: boolean;
  saveModels: boolean;
  keras?: boolean;
}

/** Exit status of a run stopped by Ctrl-C, as shells report SIGINT. */

function percent(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(4);
}

/** One line per event worth printing; undefined for the rest. */
export function describeRunEvent(event: RunEvent): string | undefined {
  if (event.type === 'plan') {
    const toRun = event.pending + event.running;
    return (
      `Experiment ${event.experiment}: ${event.trials} trials (${event.added} new); ${event.done} done, ${event.failed} failed, ${toRun} to run` +
      `${toRun === 0 ? '' : event.workers === 0 ? ' by lisht workers' : ` in ${event.workers} worker${event.workers === 1 ? '' : 's'}`}; database ${event.db}`
    );
  }
  if (event.type === 'worker-exit') {
    return event.trial !== undefined ? `[w${event.worker}] worker died (${event.signal ?? `exit code ${event.code}`}) during ${event.trial}; it resumes on the next run` : undefined;
  }
  return describeWorkerEvent(`w${event.worker}`, event.event);
}

/**
 * One line per event of the worker labelled `label` worth printing: `w1`, `w2`… for the
 * workers of one `lisht run`; host and pid for a `lisht worker`, one of many on many machines.
 */
export function describeWorkerEvent(label: string, e: WorkerEvent): string | undefined {
  const w = `[${label}]`;
  switch (e.type) {
    case 'ready':
      return `${w} backend ${e.backend}`;
    case 'trial-start':
      return `${w} ${e.label}: ${e.resumedFrom > 0 ? `resuming after epoch ${e.resumedFrom}` : 'start'} (attempt ${e.attempt})`;
    case 'epoch': {
      const r = e.record;
      return `${w} ${e.label}: epoch ${r.epoch}/${e.epochs} ${r.seconds.toFixed(1)}s - loss ${r.loss.toFixed(4)} - accuracy ${percent(r.accuracy)} - val_loss ${r.val_loss.toFixed(4)} - val_accuracy ${percent(r.val_accuracy)}`;
    }
    case 'waiting':
      return `${w} ${e.message}`;
    case 'trial-end':
      if (e.status === 'done') return `${w} ${e.label}: done, test accuracy ${percent(e.testAccuracy)}`;
      if (e.status === 'failed') return `${w} ${e.label}: failed: ${e.error}`;
      if (e.status === 'lost') return `${w} ${e.label}: taken over by another process; left to it`;
      return `${w} ${e.label}: stopped; resumes from its last checkpoint on the next run`;
    default:
      return undefined;
  }
}

export function register(program: Command): void {
  program
    .command('run')
    .description(COMMANDS.run.description)
    .argument('<spec>', 'experiment spec, YAML or JSON (see experiments/)')
    .option('--db <file|url>', 'results database: a SQLite file or a postgres:// URL', DEFAULT_DB)
    .option('--workers <n>', 'worker processes on this machine (0: only register the trials, for `lisht worker`s)', nonNegativeInt, 1)
    .option('--data <name=path>', 'local data for a data set, overriding the spec (repeatable)', dataFlag)
    .option('--backend <name>', "backend instead of the spec's: auto, tensorflow, native, wasm or cpu")
    .addOption(precisionOption())
    .option('--allow-emulated-bf16', ALLOW_EMULATED_HELP)
    .option('--busy-timeout <ms>', 'how long to wait for a database locked by another process', positiveInt)
    .option('--no-gradient-flow', 'do not record per-layer gradient flow (one probe batch per epoch; shown by lisht report)')
    .option('--no-save-models', "do not keep each trial's initial and trained model in <db>.models/ (lisht inspect --db needs them)")
    .option('--keras', 'also save each trained model as a Keras 3 file, model.keras, beside it')
    .action(async (specPath: string, flags: Flags) => {
      if (flags.keras === true && !flags.saveModels) throw new UserError('--keras saves the trained models as .keras: it cannot go with --no-save-models', EXIT.USAGE);
      const stop = stopOnSignals('stopping after the current step; each trial resumes from its last checkpoint on the next run');
      // Through the environment, so that the worker processes inherit it.
      if (flags.allowEmulatedBf16) process.env[ALLOW_EMULATED_ENV] = '1';
      try {
        const summary = await runExperiment({
          spec: specPath,
          db: flags.db,
          workers: flags.workers,
          data: flags.data,
          backend: flags.backend,
          precision: flags.precision, // instead of the spec's `precision`
          busyTimeoutMs: flags.busyTimeout,
          gradientFlow: flags.gradientFlow,
          saveModels: flags.saveModels,
          kerasModels: flags.keras === true,
          signal: stop.signal,
          onDownloadProgress: createProgressReporter(process.stderr),
          onEvent: (e) => {
            const line = describeRunEvent(e);
            if (line !== undefined) process.stdout.write(line + '\n');
          },
        });
        const ended = summary.done + summary.failed;
        process.stdout.write(
          `\n${summary.experiment}: ${ended} of ${summary.trials} trials finished (${summary.failed} failed), ${summary.finishedNow} in this run, ${summary.seconds.toFixed(0)}s.` +
            (summary.running > 0 ? ` ${summary.running} running in another process.` : '') +
            `\nResults: lisht results --db ${shellQuote(summary.db)}\n`,
        );
        if (summary.stopped) process.exitCode = EXIT.INTERRUPTED;
        else if (flags.workers === 0) {
          if (summary.pending > 0) process.stdout.write(`${summary.pending} trials wait for workers: lisht worker --db ${shellQuote(summary.db)} --experiment ${shellQuote(summary.experiment)}\n`);
        } else if (summary.pending > 0) {
          process.stderr.write(`lisht: ${summary.pending} trials are still pending (a worker died); run the same command again to resume them\n`);
          process.exitCode = EXIT.FAILED;
        }
      } finally {
        stop.release();
      }
    });
}
