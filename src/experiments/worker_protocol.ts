/**
 * What `lisht run`'s parent and its worker processes say to each other, and the defaults they
 * share. No TensorFlow.js here: the parent imports this without loading it.
 */
import type { ExitCode } from '../exit_codes.js';
import type { EpochRecord } from '../training/epoch_record.js';
import type { TrialConfig } from './spec.js';

/** What the parent tells a worker to do. */
export interface WorkerOptions {
  dbPath: string;
  experimentId: number;
  /** Trial keys of the current spec's grid; other trials of the experiment are left alone. */
  keys: string[];
  /** Folder holding one checkpoint folder per trial id. */
  checkpointRoot: string;
  /** Local data per data set name (absolute paths); others come from the cache. */
  dataPaths: Record<string, string>;
  backend: string;
  gitCommit: string | null;
  leaseMs: number;
  busyTimeoutMs: number;
  samples: number;
  gradientFlow: boolean;
  /** Folder of one models folder per trial id; null: models are not kept. */
  modelsRoot: string | null;
}

/** Messages between parent and worker. */
export type ParentMessage = { type: 'start'; options: WorkerOptions } | { type: 'stop' };

export type WorkerEvent =
  | { type: 'ready'; backend: string }
  | { type: 'trial-start'; trialId: number; token: string; label: string; resumedFrom: number; epochs: number; attempt: number }
  | { type: 'epoch'; trialId: number; label: string; record: EpochRecord; epochs: number }
  | { type: 'trial-end'; trialId: number; label: string; status: 'done' | 'failed' | 'stopped' | 'lost'; testAccuracy?: number; error?: string }
  | { type: 'fatal'; message: string; userError: boolean; exitCode: ExitCode }
  | { type: 'idle' };

/** How a trial is named in progress lines. */
export function trialLabel(config: TrialConfig): string {
  return `${config.dataset.name}/${config.model.label}/${config.activation}/seed ${config.seed}`;
}

/** Default lease: a claim not renewed for this long may be taken over. */
export const DEFAULT_LEASE_MS = 5 * 60_000;
