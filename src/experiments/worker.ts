/**
 * A worker's loop: claim a trial, run it, and claim the next, until none is left (or, as
 * `options.wait` says, until every trial has ended, or forever) or it is told to stop. Runs in
 * a process of its own, with its own database connection: forked by `lisht run`
 * (`worker_main.ts`), or as `lisht worker` on any machine that reaches the database. What it
 * does goes to its caller as {@link WorkerEvent}s.
 */
import { selectBackend } from '../backends/select.js';
import { loadDataset } from '../datasets/load.js';
import { systemUserError, UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { VERSION } from '../version.js';
import { processStartTime } from './liveness.js';
import { openStore } from './open_store.js';
import { canonicalJson, planTrials, type ExperimentSpec, type TrialConfig } from './spec.js';
import type { Store } from './store_api.js';
import { trialLabel, type WorkerEvent, type WorkerOptions } from './worker_protocol.js';
import { ClaimLostError, thisHost, type Claimant, type ClaimedTrial } from './store.js';
import { runTrial, type TrialData } from './trial.js';

/** How long a PostgreSQL worker keeps reconnecting to a database that went away. */
export const WORKER_RECONNECT_MS = 10 * 60_000;

class DataCache {
  private key = '';
  private value: TrialData | undefined;

  /** The data of `config`, keeping only the latest set in memory (trials come grouped by set). */
  async get(config: TrialConfig, dataPaths: Record<string, string>): Promise<TrialData> {
    const { limitTrain: _train, limitTest: _test, ...d } = config.dataset;
    const data = dataPaths[d.name];
    const key = canonicalJson({ d, data });
    if (this.value !== undefined && key === this.key) return this.value;
    this.value = undefined;
    const dataset = await loadDataset(d.name, { data, split: d.split, fromTestSet: d.fromTestSet, text: d.text });
    this.value = { dataset, source: `${dataset.source.path} (${dataset.source.verification})`, path: dataset.source.path };
    this.key = key;
    return this.value;
  }
}

/** An experiment a worker takes trials of: its current spec's grid and data. */
interface Target {
  experimentId: number;
  spec: ExperimentSpec;
  keys: Set<string>;
  dataPaths: Record<string, string>;
}

/** The experiments `options` name, as stored now (a spec registered later is seen on the next look). */
async function targets(store: Store, options: WorkerOptions): Promise<Target[]> {
  const all = await store.experiments();
  const chosen = options.experiment === null ? all : all.filter((e) => e.name === options.experiment);
  if (chosen.length === 0 && options.experiment !== null && options.wait !== 'forever') {
    throw new UserError(`no experiment ${options.experiment} in ${store.path}${all.length > 0 ? `; it has ${all.map((e) => e.name).join(', ')}` : ''}`, EXIT.NO_INPUT);
  }
  return chosen.map((e) => {
    const dataPaths: Record<string, string> = {};
    for (const d of e.spec.datasets) if (d.data !== undefined) dataPaths[d.name] = d.data;
    return { experimentId: e.id, spec: e.spec, keys: new Set(planTrials(e.spec).map((t) => t.key)), dataPaths: { ...dataPaths, ...options.dataPaths } };
  });
}

/** Trials of `targets` not ended yet (pending, or running somewhere). */
async function openTrials(store: Store, list: readonly Target[]): Promise<number> {
  let n = 0;
  for (const t of list) {
    const p = await store.progress(t.experimentId, t.keys);
    n += p.pending + p.running;
  }
  return n;
}

/** `ms` for messages: `800 ms`, `3.2 s`, `5 min`. */
function seconds(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

function sleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
    stop.addEventListener('abort', done, { once: true });
  });
}

/**
 * Claims and runs trials until none is claimable (see `options.wait`) or `stop` aborts (then
 * the current trial stops after its step and is given back). Resolves when done; failures that
 * end the worker are reported as a `fatal` event after giving the trial back.
 */
export async function workLoop(options: WorkerOptions, emit: (e: WorkerEvent) => void, stop: AbortSignal): Promise<void> {
  let store: Store | undefined;
  let current: ClaimedTrial | undefined;
  try {
    let backend: string | undefined;
    const start = async (name: string) => {
      backend = await selectBackend(name);
      emit({ type: 'ready', backend });
    };
    if (options.backend !== null) await start(options.backend);
    const db = await openStore(options.db, {
      busyTimeoutMs: options.busyTimeoutMs,
      reconnectMs: WORKER_RECONNECT_MS,
      signal: stop,
      onWait: (w) => emit({ type: 'waiting', message: `waiting for the database: ${w.reason}; retrying in ${seconds(w.retryInMs)} (gives up in ${seconds(w.giveUpInMs)})` }),
    });
    // Said once per change, not on every poll.
    let heldElsewhere = 0;
    store = db;
    const cache = new DataCache();
    while (!stop.aborted) {
      const list = await targets(db, options);
      let claimed: { trial: ClaimedTrial; target: Target } | undefined;
      for (const target of list) {
        if (backend === undefined) {
          const p = await db.progress(target.experimentId, target.keys);
          if (p.pending + p.running === 0) continue;
          await start(target.spec.backend);
        }
        const claimant: Claimant = { pid: process.pid, host: thisHost(), pidStart: processStartTime(process.pid), backend: backend!, lishtVersion: VERSION, gitCommit: options.gitCommit };
        const trial = await db.claimTrial(target.experimentId, claimant, options.leaseMs, target.keys);
        if (trial !== undefined) {
          claimed = { trial, target };
          break;
        }
      }
      if (claimed === undefined) {
        if (options.wait === 'none') break;
        if (options.wait === 'running') {
          const open = await openTrials(db, list);
          if (open === 0) break;
          if (open !== heldElsewhere) {
            // Trials claimed by other processes, maybe dead ones: their leases must run out first.
            emit({ type: 'waiting', message: `waiting for ${open} trial${open === 1 ? '' : 's'} held by other workers: they finish there, or are taken over here once a claim goes ${seconds(options.leaseMs)} without a heartbeat` });
            heldElsewhere = open;
          }
        }
        await sleep(options.pollMs, stop);
        continue;
      }
      current = claimed.trial;
      await runOne(current, claimed.target, db, cache, options, emit, stop);
      current = undefined;
    }
    emit({ type: 'idle' });
  } catch (err) {
    if (current !== undefined && store !== undefined) {
      try {
        await store.releaseTrial(current, 'error', (err as Error).message);
      } catch {
        // The database itself failed (e.g. disk full); the claim expires with its lease.
      }
    }
    const known = systemUserError(err);
    emit({ type: 'fatal', message: known ? known.message : ((err as Error).stack ?? String(err)), userError: known !== undefined, exitCode: known ? known.exitCode : EXIT.SOFTWARE });
  } finally {
    await store?.close();
  }
}

/**
 * Runs `fn` with `trial`'s lease renewed in the background; the signal it gets aborts when the
 * claim is lost (another process took the trial over after the lease ran out).
 */
export async function withLease<T>(store: Store, trial: ClaimedTrial, leaseMs: number, fn: (lost: AbortSignal) => Promise<T>): Promise<T> {
  const lost = new AbortController();
  let beating = false;
  const heartbeat = setInterval(() => {
    // One beat at a time: a beat waiting for a database that restarts must not pile up others.
    if (beating) return;
    beating = true;
    store
      .heartbeat(trial, leaseMs)
      .then(
        (ok) => {
          if (!ok) lost.abort();
        },
        // A busy or unreachable database: the next beat tries again, well within the lease.
        () => undefined,
      )
      .finally(() => (beating = false));
  }, Math.max(1000, leaseMs / 4));
  try {
    return await fn(lost.signal);
  } finally {
    clearInterval(heartbeat);
  }
}

async function runOne(trial: ClaimedTrial, target: Target, store: Store, cache: DataCache, options: WorkerOptions, emit: (e: WorkerEvent) => void, stop: AbortSignal): Promise<void> {
  const label = trialLabel(trial.config);
  try {
    await withLease(store, trial, options.leaseMs, async (lost) => {
      const data = await cache.get(trial.config, target.dataPaths);
      const folders = await store.trialFolders(trial, options.saveModels);
      emit({ type: 'trial-start', trialId: trial.trialId, token: trial.token, label, resumedFrom: trial.epochsDone, epochs: trial.config.epochs, attempt: trial.attempts });
      const outcome = await runTrial(trial, {
        store,
        data,
        ...folders,
        kerasModel: options.kerasModels === true,
        leaseMs: options.leaseMs,
        samples: target.spec.samples,
        gradientFlow: options.gradientFlow,
        signal: AbortSignal.any([stop, lost]),
        onEpoch: (record) => emit({ type: 'epoch', trialId: trial.trialId, label, record, epochs: trial.config.epochs }),
      });
      if (outcome.status === 'stopped') {
        if (lost.aborted) {
          emit({ type: 'trial-end', trialId: trial.trialId, label, status: 'lost' });
        } else {
          await store.releaseTrial(trial, 'stopped');
          emit({ type: 'trial-end', trialId: trial.trialId, label, status: 'stopped' });
        }
      } else if (outcome.status === 'done') {
        emit({ type: 'trial-end', trialId: trial.trialId, label, status: 'done', testAccuracy: outcome.testAccuracy });
      } else {
        emit({ type: 'trial-end', trialId: trial.trialId, label, status: 'failed', error: outcome.error });
      }
    });
  } catch (err) {
    if (!(err instanceof ClaimLostError)) throw err;
    emit({ type: 'trial-end', trialId: trial.trialId, label, status: 'lost' });
  } finally {
    await store.closeTrialFolders(trial);
  }
}
