/**
 * What `lisht run`'s parent and its worker processes say to each other, and the defaults they
 * share. No TensorFlow.js here: the parent imports this without loading it.
 */
import type { ExitCode } from '../exit_codes.js';
import type { EpochRecord } from '../training/epoch_record.js';
import type { TrialConfig } from './spec.js';

/** What the parent (or `lisht worker`) tells a worker to do. */
export interface WorkerOptions {
  /** The results store: a SQLite file (absolute path) or a PostgreSQL URL. */
  db: string;
  /**
   * Only this experiment; null: every experiment in the store, oldest first. Each one's trials
   * are those of its current spec's grid; other trials of the experiment are left alone.
   */
  experiment: string | null;
  /** Local data per data set name (absolute paths), over the specs' own `data`; others come from the cache. */
  dataPaths: Record<string, string>;
  /** The backend; null: the backend of the spec of the first trial this worker claims. */
  backend: string | null;
  gitCommit: string | null;
  leaseMs: number;
  busyTimeoutMs: number;
  gradientFlow: boolean;
  /** Keep each trial's initial and trained model (`lisht inspect --db` reads them). */
  saveModels: boolean;
  /** Also write each trained model as a Keras 3 `model.keras` beside it. */
  kerasModels?: boolean;
  /**
   * When nothing is claimable: `none` ends the worker; `running` waits while trials are still
   * running elsewhere (a dead worker's lease runs out and its trial is taken over), ending once
   * every trial has ended; `forever` keeps polling for new trials.
   */
  wait: WaitMode;
  /** How often a waiting worker looks for claimable trials. */
  pollMs: number;
}

export type WaitMode = 'none' | 'running' | 'forever';

/** Messages between parent and worker. */
export type ParentMessage = { type: 'start'; options: WorkerOptions } | { type: 'stop' };

export type WorkerEvent =
  | { type: 'ready'; backend: string }
  | { type: 'trial-start'; trialId: number; token: string; label: string; resumedFrom: number; epochs: number; attempt: number }
  | { type: 'epoch'; trialId: number; label: string; record: EpochRecord; epochs: number }
  | { type: 'trial-end'; trialId: number; label: string; status: 'done' | 'failed' | 'stopped' | 'lost'; testAccuracy?: number; error?: string }
  | { type: 'fatal'; message: string; userError: boolean; exitCode: ExitCode }
  | { type: 'idle' }
  /** Nothing to do yet, and why: the database unreachable (retrying), or trials held elsewhere. */
  | { type: 'waiting'; message: string };

/** How a trial is named in progress lines. */
export function trialLabel(config: TrialConfig): string {
  return `${config.dataset.name}/${config.model.label}/${config.activation}/seed ${config.seed}`;
}

/** Default lease: a claim not renewed for this long may be taken over. */
export const DEFAULT_LEASE_MS = 5 * 60_000;

/** Default poll interval of a waiting worker. */
export const DEFAULT_POLL_MS = 5_000;
