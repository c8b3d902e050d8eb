import type { Command } from 'commander';
import { COMMANDS } from './catalog.js';
import { ALLOW_EMULATED_ENV } from '../../backends/native/precision.js';
import { ALLOW_EMULATED_HELP } from '../precision_flags.js';
import { UserError } from '../../errors.js';
import { EXIT } from '../../exit_codes.js';
import { gitCommit } from '../../experiments/provenance.js';
import { DEFAULT_DB } from '../../experiments/run_folder.js';
import { DEFAULT_BUSY_TIMEOUT_MS, thisHost } from '../../experiments/store.js';
import { workLoop } from '../../experiments/worker.js';
import { DEFAULT_LEASE_MS, DEFAULT_POLL_MS, type WorkerEvent } from '../../experiments/worker_protocol.js';
import { dataFlag, positiveInt } from '../flags.js';
import { stopOnSignals } from '../stop_signals.js';
import { describeWorkerEvent } from './run.js';
import { resolve } from 'node:path';

interface Flags {
  db: string;
  experiment?: string;
  backend?: string;
  allowEmulatedBf16?: boolean;
  threads?: number;
  data?: Record<string, string>;
  wait: boolean;
  lease: number;
  poll?: number;
  gradientFlow: boolean;
  saveModels: boolean;
  keras?: boolean;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description(COMMANDS.worker.description)
    .option('--db <url|file>', 'results database: a postgres:// URL (or a SQLite file shared on this machine)', DEFAULT_DB)
    .option('--experiment <name>', 'only the trials of this experiment (default: every experiment, oldest first)')
    .option('--backend <name>', "backend: auto, tensorflow, native, wasm or cpu (default: the spec's)")
    .option('--threads <n>', 'threads of the native backend (LISHT_NUM_THREADS)', positiveInt)
    .option('--data <name=path>', "local data for a data set on this machine, overriding the spec's (repeatable)", dataFlag)
    .option('--wait', 'when no trial is left, keep waiting for new ones instead of ending', false)
    .option('--lease <ms>', 'how long a claim lives without a heartbeat; another worker takes the trial over after it', positiveInt, DEFAULT_LEASE_MS)
    .option('--poll <ms>', 'how often a waiting worker looks for trials (default: 5 s, or half the lease)', positiveInt)
    .option('--no-gradient-flow', 'do not record per-layer gradient flow')
    .option('--no-save-models', "do not keep each trial's initial and trained model")
    .option('--keras', 'also save each trained model as a Keras 3 file, model.keras, beside it')
    .option('--allow-emulated-bf16', ALLOW_EMULATED_HELP)
    .action(async (flags: Flags) => {
      if (flags.keras === true && !flags.saveModels) throw new UserError('--keras saves the trained models as .keras: it cannot go with --no-save-models', EXIT.USAGE);
      if (flags.allowEmulatedBf16) process.env[ALLOW_EMULATED_ENV] = '1';
      if (flags.threads !== undefined) process.env.LISHT_NUM_THREADS = String(flags.threads);
      const dataPaths = Object.fromEntries(Object.entries(flags.data ?? {}).map(([k, v]) => [k, resolve(v)]));
      const stop = stopOnSignals('stopping after the current step; the trial goes back to the queue and resumes from its last checkpoint');
      const label = `${thisHost()}:${process.pid}`;
      let fatal: Extract<WorkerEvent, { type: 'fatal' }> | undefined;
      let finished = 0;
      try {
        await workLoop(
          {
            db: flags.db,
            experiment: flags.experiment ?? null,
            dataPaths,
            backend: flags.backend ?? null,
            gitCommit: gitCommit(),
            leaseMs: flags.lease,
            busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS,
            gradientFlow: flags.gradientFlow,
            saveModels: flags.saveModels,
            kerasModels: flags.keras === true,
            wait: flags.wait ? 'forever' : 'running',
            pollMs: flags.poll ?? Math.min(DEFAULT_POLL_MS, Math.max(100, flags.lease / 2)),
          },
          (event) => {
            if (event.type === 'fatal') fatal = event;
            if (event.type === 'trial-end' && (event.status === 'done' || event.status === 'failed')) finished++;
            const line = describeWorkerEvent(label, event);
            if (line !== undefined) process.stdout.write(line + '\n');
          },
          stop.signal,
        );
      } finally {
        stop.release();
      }
      if (fatal !== undefined) {
        if (fatal.userError) throw new UserError(fatal.message, fatal.exitCode);
        throw new Error(`the worker failed: ${fatal.message}`);
      }
      process.stdout.write(`Worker done: ${finished} trials finished here.\n`);
      if (stop.signal.aborted) process.exitCode = EXIT.INTERRUPTED;
    });
}
