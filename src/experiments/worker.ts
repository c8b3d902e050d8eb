/**
 * A worker's loop: start the backend, then claim a trial, run it, and claim the next, until
 * none is left or it is told to stop. Runs in its own process (see `worker_main.ts`), with its
 * own database connection; what it does goes to the parent as {@link WorkerEvent}s.
 */
import { join } from 'node:path';
import { selectBackend } from '../backends/select.js';
import { loadDataset } from '../datasets/load.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { VERSION } from '../version.js';
import { processStartTime } from './liveness.js';
import { canonicalJson, type TrialConfig } from './spec.js';
import { trialLabel, type WorkerEvent, type WorkerOptions } from './worker_protocol.js';
import { ClaimLostError, ResultStore, thisHost, type Claimant, type ClaimedTrial } from './store.js';
import { runTrial, type TrialData } from './trial.js';

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

/**
 * Claims and runs trials until none is claimable or `stop` aborts (then the current trial
 * stops after its step and is given back). Resolves when done; failures that end the worker
 * are reported as a `fatal` event after giving the trial back.
 */
export async function workLoop(options: WorkerOptions, emit: (e: WorkerEvent) => void, stop: AbortSignal): Promise<void> {
  let store: ResultStore | undefined;
  let current: ClaimedTrial | undefined;
  try {
    const backend = await selectBackend(options.backend);
    emit({ type: 'ready', backend });
    store = ResultStore.open(options.dbPath, { busyTimeoutMs: options.busyTimeoutMs });
    const claimant: Claimant = { pid: process.pid, host: thisHost(), pidStart: processStartTime(process.pid), backend, lishtVersion: VERSION, gitCommit: options.gitCommit };
    const keys = new Set(options.keys);
    const cache = new DataCache();
    while (!stop.aborted) {
      current = store.claimTrial(options.experimentId, claimant, options.leaseMs, keys);
      if (current === undefined) break;
      await runOne(current, store, cache, options, emit, stop);
      current = undefined;
    }
    emit({ type: 'idle' });
  } catch (err) {
    if (current !== undefined && store !== undefined) {
      try {
        store.releaseTrial(current, 'error', (err as Error).message);
      } catch {
        // The database itself failed (e.g. disk full); the claim expires with this process.
      }
    }
    const userError = err instanceof UserError;
    emit({ type: 'fatal', message: userError ? err.message : ((err as Error).stack ?? String(err)), userError, exitCode: userError ? err.exitCode : EXIT.SOFTWARE });
  } finally {
    store?.close();
  }
}

/**
 * Runs `fn` with `trial`'s lease renewed in the background; the signal it gets aborts when the
 * claim is lost (another process took the trial over after the lease ran out).
 */
export async function withLease<T>(store: ResultStore, trial: ClaimedTrial, leaseMs: number, fn: (lost: AbortSignal) => Promise<T>): Promise<T> {
  const lost = new AbortController();
  const heartbeat = setInterval(() => {
    try {
      if (!store.heartbeat(trial, leaseMs)) lost.abort();
    } catch {
      // A busy or full database: the next beat tries again, well within the lease.
    }
  }, Math.max(1000, leaseMs / 4));
  try {
    return await fn(lost.signal);
  } finally {
    clearInterval(heartbeat);
  }
}

async function runOne(trial: ClaimedTrial, store: ResultStore, cache: DataCache, options: WorkerOptions, emit: (e: WorkerEvent) => void, stop: AbortSignal): Promise<void> {
  const label = trialLabel(trial.config);
  try {
    await withLease(store, trial, options.leaseMs, async (lost) => {
      const data = await cache.get(trial.config, options.dataPaths);
      emit({ type: 'trial-start', trialId: trial.trialId, token: trial.token, label, resumedFrom: trial.epochsDone, epochs: trial.config.epochs, attempt: trial.attempts });
      const outcome = await runTrial(trial, {
        store,
        data,
        checkpointDir: join(options.checkpointRoot, String(trial.trialId)),
        leaseMs: options.leaseMs,
        samples: options.samples,
        gradientFlow: options.gradientFlow,
        ...(options.modelsRoot !== null ? { modelsDir: join(options.modelsRoot, String(trial.trialId)) } : {}),
        signal: AbortSignal.any([stop, lost]),
        onEpoch: (record) => emit({ type: 'epoch', trialId: trial.trialId, label, record, epochs: trial.config.epochs }),
      });
      if (outcome.status === 'stopped') {
        if (lost.aborted) {
          emit({ type: 'trial-end', trialId: trial.trialId, label, status: 'lost' });
        } else {
          store.releaseTrial(trial, 'stopped');
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
  }
}
