/**
 * The results store as the rest of lisht sees it: one asynchronous interface with two
 * implementations, a SQLite file (`sqlite_store.ts`, the embedded default) and a PostgreSQL
 * database (`pg_store.ts`, for many machines). `openStore` (`open_store.ts`) picks one from
 * the `--db` value. Both keep the same schema and the same guarantees: every write is one
 * transaction, a trial is claimed by one worker at a time under a lease renewed by heartbeats,
 * and every write about a trial checks that the claim is still the writer's own.
 */
import type { GradientFlowRecord } from '../diagnostics/types.js';
import type { EpochRecord } from './compare_types.js';
import type { ExperimentSpec, PlannedTrial } from './spec.js';
import type { Claim, ClaimedTrial, Claimant, ClassMetric, ExperimentRecord, SampleRecord, TrialFinal, TrialRecord, TrialRun, TrialStatus } from './store.js';

/** The local folders a worker trains one trial in. */
export interface TrialFolders {
  /** The trainer's checkpoint folder. */
  checkpointDir: string;
  /** Where the trained model (and `initial/`) are saved; absent when models are not kept. */
  modelsDir?: string;
}

/** What every results store offers; see `store.ts` for the records. */
export interface Store {
  /** What messages name: the file, or the PostgreSQL URL without its password. */
  readonly path: string;
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';

  /** Records the spec and adds the trials of its grid not stored yet (idempotent). */
  registerExperiment(spec: ExperimentSpec, specHash: string, trials: readonly PlannedTrial[], source?: { path?: string; text?: string }): Promise<{ experimentId: number; added: number }>;
  experiment(name: string): Promise<ExperimentRecord | undefined>;
  /** Every experiment, oldest first. */
  experiments(): Promise<ExperimentRecord[]>;

  /**
   * Claims the next trial nobody runs: a pending one, or a running one whose lease has expired
   * (that run is marked lost). `keys` restricts the choice to the current spec's grid.
   */
  claimTrial(experimentId: number, claimant: Claimant, leaseMs: number, keys?: ReadonlySet<string>): Promise<ClaimedTrial | undefined>;
  /** Renews the lease; false when another worker has taken the trial over. */
  heartbeat(claim: Claim, leaseMs: number): Promise<boolean>;
  /** Makes the stored epochs those of the checkpoint a run resumes from. */
  syncEpochs(claim: Claim, records: readonly EpochRecord[], leaseMs: number, flow?: readonly GradientFlowRecord[]): Promise<void>;
  /** Records a finished epoch (and, in PostgreSQL, the checkpoint written after it). */
  recordEpoch(claim: Claim, record: EpochRecord, leaseMs: number, flow?: readonly GradientFlowRecord[]): Promise<void>;
  /** Marks the trial done with its final results (and, in PostgreSQL, its saved models). */
  finishTrial(claim: Claim, final: TrialFinal, leaseMs: number): Promise<void>;
  /** Marks the trial failed (its loss diverged): recorded, not run again. */
  failTrial(claim: Claim, error: string, leaseMs: number): Promise<void>;
  /** Gives the trial back (pending again, resumed from its checkpoint); a lost claim is left alone. */
  releaseTrial(claim: Claim, outcome: 'stopped' | 'error', error?: string): Promise<void>;

  /**
   * The folders to train `claim`'s trial in. SQLite: the folders beside the file, where the
   * checkpoint already is. PostgreSQL: a scratch folder on this machine, filled with the
   * checkpoint and models stored in the database; {@link Store.recordEpoch} and
   * {@link Store.finishTrial} store what the trainer writes there.
   */
  trialFolders(claim: ClaimedTrial, saveModels: boolean): Promise<TrialFolders>;
  /** Done with the trial's folders (PostgreSQL removes its scratch copy). */
  closeTrialFolders(claim: Claim): Promise<void>;
  /**
   * A folder holding `<trial id>/` with the saved model of each of `trialIds` (and its
   * `initial/`), where they were saved: beside the SQLite file, or copied out of PostgreSQL into
   * `scratch`. A trial without a saved model has no folder.
   */
  modelsRoot(trialIds: readonly number[], scratch: string): Promise<string>;
  /** Removes what ended trials left behind (checkpoints of trials whose process died before removing them). */
  pruneCheckpoints(experimentId: number): Promise<void>;

  /** Trials of an experiment, in grid order. */
  trials(experimentId: number): Promise<TrialRecord[]>;
  /** Count of trials per status. */
  progress(experimentId: number, keys?: ReadonlySet<string>): Promise<Record<TrialStatus, number>>;
  epochs(trialIds: readonly number[]): Promise<Map<number, EpochRecord[]>>;
  gradientFlow(trialIds: readonly number[]): Promise<Map<number, GradientFlowRecord[]>>;
  classMetrics(trialIds: readonly number[]): Promise<Map<number, ClassMetric[]>>;
  confusion(trialIds: readonly number[]): Promise<Map<number, number[][]>>;
  samples(trialIds: readonly number[]): Promise<Map<number, SampleRecord[]>>;
  runs(trialIds: readonly number[]): Promise<Map<number, TrialRun[]>>;

  /** Every row of a table, as stored (for `lisht db copy`); see `store_tables.ts`. */
  dumpTable(table: string): Promise<Record<string, unknown>[]>;
  /** Stored files of trials (checkpoints and models), for `lisht db copy`. */
  dumpArtifacts(): Promise<StoredFile[]>;
  /** Loads copied rows and files into this store, which must hold no experiment yet, in one transaction. */
  load(tables: ReadonlyMap<string, Record<string, unknown>[]>, files: readonly StoredFile[]): Promise<void>;

  close(): Promise<void>;
}

/** One stored file of a trial: its checkpoint or its saved models, by path inside that folder. */
export interface StoredFile {
  trialId: number;
  kind: ArtifactKind;
  path: string;
  data: Uint8Array;
}

/** `checkpoint`: the trainer's checkpoint folder; `model`: the saved model folder (with `initial/`). */
export type ArtifactKind = 'checkpoint' | 'model';
