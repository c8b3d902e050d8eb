/**
 * `lisht run`: records a spec and its grid of trials in the results store, then runs every
 * trial not finished yet in up to N worker processes on this machine. Each worker claims
 * trials from the database itself, so several `lisht run` processes can share one database,
 * and a killed run resumes each trial from its last checkpoint the next time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheStatus, downloadDataset } from '../datasets/download_dataset.js';
import { parseDatasetName } from '../datasets/registry.js';
import type { DownloadProgress } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { gitCommit } from './provenance.js';
import { checkPrecisionRequest, type Precision } from '../backends/native/precision.js';
import { loadSpecFile, planTrials, specHash, type ExperimentSpec, type LoadedSpec } from './spec.js';
import { isPostgresUrl, openStore } from './open_store.js';
import { DEFAULT_BUSY_TIMEOUT_MS } from './store.js';
import type { Store } from './store_api.js';
import { DEFAULT_LEASE_MS, DEFAULT_POLL_MS, type ParentMessage, type WorkerEvent, type WorkerOptions } from './worker_protocol.js';

import { DEFAULT_DB } from './run_folder.js';

export { DEFAULT_DB };

export interface RunOptions {
  /** The spec file, or a spec already loaded with `loadSpecFile`. */
  spec: string | LoadedSpec;
  /** Results database: a SQLite file (default `lisht.db`) or a PostgreSQL URL. */
  db?: string;
  /** Worker processes; default 1. 0 registers the trials and leaves them to `lisht worker`s. */
  workers?: number;
  /** Local data per data set name, overriding the spec's `data` (e.g. `{ iris: 'iris.csv' }`). */
  data?: Record<string, string>;
  /** Backend instead of the spec's. */
  backend?: string;
  /** Precision instead of the spec's (it is part of each trial's configuration: other trials). */
  precision?: Precision;
  busyTimeoutMs?: number;
  /** How long a claim lives without a heartbeat; default 5 minutes. */
  leaseMs?: number;
  /** Record each trial's gradient flow in the store (one probe batch per epoch); default true. */
  gradientFlow?: boolean;
  /** Keep each trial's initial and trained model in `<db>.models/<trial id>/`; default true. */
  saveModels?: boolean;
  /** Also write each trained model as a Keras 3 `model.keras` beside it (with saveModels); default false. */
  kerasModels?: boolean;
  /** Aborting stops every worker after its current step; their trials resume next time. */
  signal?: AbortSignal;
  onEvent?(event: RunEvent): void;
  /** Progress of data sets downloaded into the cache before the workers start. */
  onDownloadProgress?(progress: DownloadProgress): void;
}

export type RunEvent =
  | { type: 'plan'; experiment: string; db: string; trials: number; added: number; done: number; failed: number; pending: number; running: number; workers: number }
  | { type: 'worker'; worker: number; event: WorkerEvent }
  | { type: 'worker-exit'; worker: number; code: number | null; signal: string | null; trial?: string };

export interface RunSummary {
  experiment: string;
  db: string;
  trials: number;
  done: number;
  failed: number;
  pending: number;
  /** Trials other processes are running right now. */
  running: number;
  /** Trials this run brought to an end (done or failed). */
  finishedNow: number;
  /** True when the run was stopped before every trial ended. */
  stopped: boolean;
  seconds: number;
}

function workerEntry(): string {
  return fileURLToPath(new URL('./worker_main.js', import.meta.url));
}

/** Data paths per data set: the spec's, then the overrides; each must exist. */
async function resolveDataPaths(loaded: LoadedSpec, overrides: Record<string, string>): Promise<Record<string, string>> {
  const names = loaded.spec.datasets.map((d) => d.name as string);
  const paths: Record<string, string> = {};
  for (const d of loaded.spec.datasets) if (d.data !== undefined) paths[d.name] = d.data;
  for (const [given, path] of Object.entries(overrides)) {
    const name = parseDatasetName(given);
    if (!names.includes(name)) throw new UserError(`--data ${given}=...: the spec has no data set '${name}' (it has ${names.join(', ')})`);
    paths[name] = isAbsolute(path) ? path : resolve(path);
  }
  for (const [name, path] of Object.entries(paths)) {
    try {
      await access(path);
    } catch {
      throw new UserError(`data for ${name} not found: ${path}`, EXIT.NO_INPUT);
    }
  }
  return paths;
}

/**
 * Downloads, once and before any worker starts, the data sets that come from the cache and
 * are not complete (or not intact) there: N workers would otherwise race to fetch them.
 */
async function ensureCached(loaded: LoadedSpec, dataPaths: Record<string, string>, onProgress?: (p: DownloadProgress) => void): Promise<void> {
  for (const d of loaded.spec.datasets) {
    if (dataPaths[d.name] !== undefined) continue;
    const status = await cacheStatus(d.name);
    // Built from MNIST's test files only: the training files are not needed.
    const needed = status.filter((s) => !(d.fromTestSet && !s.file.fileName.startsWith('t10k')));
    // Present files are checked too (cheaply, once verified), and a damaged one replaced.
    await downloadDataset(d.name, { onProgress, only: needed.map((s) => s.file.fileName) });
  }
}

/** The spec with `precision` in place of its own (fp32 is the field left out). */
function withPrecision(spec: ExperimentSpec, precision: Precision | undefined): ExperimentSpec {
  if (precision === undefined) return spec;
  const { precision: _own, ...rest } = spec;
  return precision === 'bf16' ? { ...rest, precision } : rest;
}

/**
 * Runs the spec's unfinished trials and resolves to what the database holds afterwards.
 * Throws a UserError for a bad spec or database before anything starts, and for a worker's
 * fatal error (unreadable data, full disk) after stopping the others.
 */
export async function runExperiment(options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const loaded = typeof options.spec === 'string' ? await loadSpecFile(options.spec) : options.spec;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 0) throw new UserError(`workers must be a whole number, got ${workers}`);
  const spec = withPrecision(loaded.spec, options.precision);
  // Workers here are refused before any trial is claimed; workers elsewhere check their own CPU.
  if (workers > 0) checkPrecisionRequest(spec.precision ?? 'fp32', options.backend ?? spec.backend);
  const dataPaths = await resolveDataPaths(loaded, options.data ?? {});
  // Registering only (no worker here): the workers download what they need where they run.
  if (workers > 0) await ensureCached(loaded, dataPaths, options.onDownloadProgress);
  const dbPath = options.db ?? DEFAULT_DB;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const planned = planTrials(spec);
  const keys = new Set(planned.map((t) => t.key));
  const emit = (e: RunEvent) => options.onEvent?.(e);

  const store = await openStore(dbPath, { busyTimeoutMs });
  const postgres = isPostgresUrl(dbPath);
  try {
    const { experimentId, added } = await store.registerExperiment(spec, specHash(spec), planned, { path: loaded.path, text: loaded.text });
    await store.pruneCheckpoints(experimentId);
    const before = await store.progress(experimentId, keys);
    const open = before.pending + before.running;
    const count = Math.min(workers, open);
    emit({ type: 'plan', experiment: spec.name, db: store.path, trials: keys.size, added, ...before, workers: count });

    const workerOptions: WorkerOptions = {
      db: postgres ? dbPath : resolve(dbPath),
      experiment: spec.name,
      dataPaths,
      backend: options.backend ?? spec.backend,
      gitCommit: gitCommit(),
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      busyTimeoutMs,
      gradientFlow: options.gradientFlow ?? true,
      saveModels: options.saveModels !== false,
      kerasModels: options.kerasModels === true,
      // Workers elsewhere may die holding a trial: in PostgreSQL, wait for their leases to run
      // out and take the trials over. A SQLite run ends when nothing is claimable, as before.
      wait: postgres ? 'running' : 'none',
      pollMs: Math.min(DEFAULT_POLL_MS, Math.max(100, (options.leaseMs ?? DEFAULT_LEASE_MS) / 2)),
    };
    const { fatal, finished } = await runWorkers(count, experimentId, keys, workerOptions, store, emit, options.signal);
    const after = await store.progress(experimentId, keys);
    await store.pruneCheckpoints(experimentId);
    if (fatal !== undefined) throw fatal.userError ? new UserError(fatal.message, fatal.exitCode) : new Error(`a worker failed: ${fatal.message}`);
    return {
      experiment: spec.name,
      db: store.path,
      trials: keys.size,
      ...after,
      // Counted from this run's own workers: other processes on the same store finish trials too.
      finishedNow: finished,
      stopped: options.signal?.aborted ?? false,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await store.close();
  }
}

type Fatal = Extract<WorkerEvent, { type: 'fatal' }>;

/** Replacements per worker slot before a crashing worker is left dead (the run then reports its pending trials). */
const MAX_REPLACEMENTS_PER_WORKER = 3;

/** What this run's workers did: the first fatal error, and the trials they brought to an end. */
interface WorkersOutcome {
  fatal?: Fatal;
  finished: number;
}

/**
 * Forks `count` workers, relays their events and resolves when all have exited. A worker that
 * dies (killed, out of memory) while trials remain is replaced, so one lost process does not
 * strand the run's other trials; a worker that keeps dying stops being replaced after
 * {@link MAX_REPLACEMENTS_PER_WORKER} tries per slot.
 */
function runWorkers(
  count: number,
  experimentId: number,
  keys: ReadonlySet<string>,
  options: WorkerOptions,
  store: Store,
  emit: (e: RunEvent) => void,
  signal?: AbortSignal,
): Promise<WorkersOutcome> {
  const outcome: WorkersOutcome = { finished: 0 };
  if (count === 0) return Promise.resolve(outcome);
  return new Promise((resolvePromise) => {
    let running = 0;
    let replacements = 0;
    const children = new Set<ChildProcess>();
    const stopping = () => signal?.aborted === true || outcome.fatal !== undefined;
    const stopAll = () => {
      for (const child of children) if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
    };
    signal?.addEventListener('abort', stopAll, { once: true });
    const start = (w: number) => {
      running++;
      // Test-runner flags would make the worker a test file; other flags (memory) carry over.
      const child = fork(workerEntry(), [], { execArgv: process.execArgv.filter((a) => !a.startsWith('--test')), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.add(child);
      let current: { trialId: number; token: string; label: string } | undefined;
      let idle = false;
      child.on('message', (event: WorkerEvent | { type: 'exit' }) => {
        if (event.type === 'exit') return;
        if (event.type === 'trial-start') current = { trialId: event.trialId, token: event.token, label: event.label };
        // After a fatal error the worker has given its trial back itself.
        if (event.type === 'trial-end' || event.type === 'fatal') current = undefined;
        if (event.type === 'trial-end' && (event.status === 'done' || event.status === 'failed')) outcome.finished++;
        if (event.type === 'idle') idle = true;
        if (event.type === 'fatal' && outcome.fatal === undefined) {
          outcome.fatal = event;
          stopAll();
        }
        emit({ type: 'worker', worker: w, event });
      });
      const onExit = async (code: number | null, exitSignal: NodeJS.Signals | null) => {
        children.delete(child);
        const died = current !== undefined;
        if (current !== undefined) {
          // It died in the middle of a trial (killed, out of memory): give the trial back now
          // rather than when the next claim notices, so another worker can resume it.
          try {
            await store.releaseTrial(current, 'error', `worker process died (${exitSignal ?? `exit code ${code}`})`);
          } catch {
            // The next claim will see the dead process (or its expired lease) and take the trial over.
          }
        }
        emit({ type: 'worker-exit', worker: w, code, signal: exitSignal, ...(current ? { trial: current.label } : {}) });
        // Counted down only after the awaits above, so no other exit sees 0 while this one decides.
        const open = async () => {
          try {
            const p = await store.progress(experimentId, keys);
            return p.pending + p.running;
          } catch {
            return 0;
          }
        };
        if ((died || (!idle && code !== 0)) && !stopping() && replacements < count * MAX_REPLACEMENTS_PER_WORKER && (await open()) > 0) {
          replacements++;
          running--;
          start(w);
          return;
        }
        running--;
        if (running === 0) {
          signal?.removeEventListener('abort', stopAll);
          resolvePromise(outcome);
        }
      };
      child.on('exit', (code, exitSignal) => void onExit(code, exitSignal));
      child.send({ type: 'start', options } satisfies ParentMessage);
      if (signal?.aborted) child.send({ type: 'stop' } satisfies ParentMessage);
    };
    for (let w = 1; w <= count; w++) start(w);
  });
}
