/**
 * The results store: one SQLite file (better-sqlite3) holding experiments, their trials, the
 * claims of the processes running them, per-epoch metrics and final results.
 *
 * Every write is one transaction, so a crash or a full disk leaves the database as it was
 * before that write. Trials are claimed under `BEGIN IMMEDIATE` (one writer at a time), with
 * a lease renewed by heartbeats; a claim whose process is dead or whose lease ran out can be
 * taken over, and every write of a trial checks that its claim is still the writer's own.
 */
import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import type { GradientFlowRecord } from '../diagnostics/types.js';
import type { EpochRecord } from './compare_types.js';
import { isProcessAlive } from './liveness.js';
import { inspectSchema, migrate, SCHEMA_VERSION } from './migrations.js';
import type { ExperimentSpec, PlannedTrial, TrialConfig } from './spec.js';
import { canonicalJson } from './spec_plan.js';
import { shellQuote } from '../shell_quote.js';

export type TrialStatus = 'pending' | 'running' | 'done' | 'failed';

/** How long a writer waits for another one before giving up; default 10 s. */
export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

export interface StoreOptions {
  /** Open for reading only (results, reports); the file must exist. */
  readonly?: boolean;
  busyTimeoutMs?: number;
}

/** An experiment as stored. */
export interface ExperimentRecord {
  id: number;
  name: string;
  spec: ExperimentSpec;
  specHash: string;
  createdAt: string;
  updatedAt: string;
}

/** A trial row with its configuration parsed. */
export interface TrialRecord {
  id: number;
  experimentId: number;
  key: string;
  config: TrialConfig;
  dataset: string;
  model: string;
  activation: string;
  seed: number;
  epochs: number;
  status: TrialStatus;
  epochsDone: number;
  attempts: number;
  claimPid: number | null;
  backend: string | null;
  lishtVersion: string | null;
  gitCommit: string | null;
  nodeVersion: string | null;
  platform: string | null;
  dataSource: string | null;
  /** The file or folder the data were read from. */
  dataPath: string | null;
  params: number | null;
  trainCount: number | null;
  testCount: number | null;
  trainLoss: number | null;
  trainAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
  bestTestAccuracy: number | null;
  bestEpoch: number | null;
  trainSeconds: number | null;
  wallSeconds: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Who claims: the process and what it runs with. */
export interface Claimant {
  pid: number;
  host: string;
  /** Start time of the process (see `processStartTime`); null where unknown. */
  pidStart: string | null;
  backend: string;
  lishtVersion: string;
  gitCommit: string | null;
}

/** A trial this process holds the claim of. Every write about it passes this back. */
export interface Claim {
  trialId: number;
  token: string;
}

export interface ClaimedTrial extends Claim {
  key: string;
  config: TrialConfig;
  epochsDone: number;
  attempts: number;
}

/** What a finished trial records besides its epochs. */
export interface TrialFinal {
  params: number;
  trainCount: number;
  testCount: number;
  /** How the data were checked, e.g. "/data/iris.csv (structure)". */
  dataSource: string;
  dataPath: string;
  testLoss: number;
  testAccuracy: number;
  classes: { name: string; support: number; correct: number }[];
  /** `confusion[true][predicted]` counts. */
  confusion: number[][];
  samples: { exampleIndex: number; trueClass: number; predictedClass: number }[];
}

export interface ClassMetric {
  classIndex: number;
  className: string;
  support: number;
  correct: number;
  accuracy: number | null;
}

export interface SampleRecord {
  position: number;
  exampleIndex: number;
  trueClass: number;
  predictedClass: number;
}

/** One attempt at a trial by one process. */
export interface TrialRun {
  trialId: number;
  pid: number;
  host: string;
  backend: string | null;
  startEpoch: number;
  endEpoch: number | null;
  outcome: 'done' | 'failed' | 'stopped' | 'lost' | 'error' | null;
  error: string | null;
  startedAt: string;
  endedAt: string | null;
}

/** The claim was taken over by another process (its lease ran out); stop without writing. */
export class ClaimLostError extends Error {
  constructor(readonly trialId: number) {
    super(`trial ${trialId} was claimed by another process`);
    this.name = 'ClaimLostError';
  }
}

/** A clear UserError for what SQLite reports, or the error itself when it is not SQLite's. */
/** Why SQLite cannot write `path` or create files beside it (its journal), if that is why. */
function unwritable(path: string): string | undefined {
  const dir = dirname(resolve(path));
  for (const [target, what] of [existsSync(path) ? [path, 'the file'] : [dir, 'its folder'], [dir, 'its folder']] as const) {
    try {
      accessSync(target, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'EROFS' ? `${target} is on a read-only file system` : code === 'EACCES' ? `${what} ${target} is read-only` : undefined;
    }
  }
  return undefined;
}

export function storeError(err: unknown, path: string): unknown {
  if (err instanceof UserError || err instanceof ClaimLostError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const detail = (err as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new UserError(`database ${path} is locked by another process (${detail}); wait for it or raise --busy-timeout`, EXIT.TEMP_FAIL);
  }
  if (code.startsWith('SQLITE_READONLY')) return new UserError(`database ${path} is read-only (${detail}); nothing was written`, EXIT.CANT_CREATE);
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_FSYNC') {
    return new UserError(`cannot write to database ${path}: the disk is full (${detail}); the last write was rolled back, free space and run again`, EXIT.IO);
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    const readOnly = unwritable(path);
    if (readOnly !== undefined) return new UserError(`cannot open database ${path} for writing: ${readOnly}; nothing was written`, EXIT.CANT_CREATE);
    return new UserError(`cannot open database ${path} (${detail})`, EXIT.NO_INPUT);
  }
  if (code === 'SQLITE_NOTADB') return new UserError(`${path} is not a SQLite database; choose another --db file`, EXIT.DATA);
  if (code.startsWith('SQLITE_CORRUPT')) return new UserError(`database ${path} is corrupt (${detail})`, EXIT.DATA);
  if (code.startsWith('SQLITE_IOERR')) return new UserError(`I/O error on database ${path} (${detail})`, EXIT.IO);
  // A table or column of the schema gone (dropped by hand): the store is damaged, not this lisht.
  if (code === 'SQLITE_ERROR' && /^no such (table|column)/.test(detail)) return new UserError(`database ${path} is damaged: ${detail}`, EXIT.DATA);
  return err;
}

/** The time stores record (ISO 8601, this machine's clock); leases use the database's own clock where it has one. */
export const now = (): string => new Date().toISOString();

/** Throws unless `db` holds results of this schema version. */
function checkReadable(db: BetterSqlite3.Database, path: string): void {
  const version = inspectSchema(db, path);
  if (version === 0) throw new UserError(`${path} holds no results yet; run \`lisht run SPEC --db ${shellQuote(path)}\` first`);
  if (version < SCHEMA_VERSION) throw new UserError(`${path} has schema version ${version}; run \`lisht run\` on it once to upgrade it to ${SCHEMA_VERSION}`);
}

/** A row of `trials`, as both stores hold it (`lease_until` aside, whose type differs). */
export interface TrialRow {
  id: number;
  experiment_id: number;
  trial_key: string;
  config_json: string;
  dataset: string;
  model: string;
  activation: string;
  seed: number;
  epochs: number;
  status: TrialStatus;
  epochs_done: number;
  attempts: number;
  claim_pid: number | null;
  claim_host: string | null;
  claim_pid_start: string | null;
  lease_until: unknown;
  backend: string | null;
  lisht_version: string | null;
  git_commit: string | null;
  node_version: string | null;
  platform: string | null;
  data_source: string | null;
  data_path: string | null;
  params: number | null;
  train_count: number | null;
  test_count: number | null;
  train_loss: number | null;
  train_accuracy: number | null;
  test_loss: number | null;
  test_accuracy: number | null;
  best_test_accuracy: number | null;
  best_epoch: number | null;
  train_seconds: number | null;
  wall_seconds: number | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/**
 * A JSON column read back. A row edited by hand or damaged on disk is a damaged store (exit
 * 65, naming the row), not a crash in whichever command happened to read it.
 */
export function storedJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new UserError(`the results store is damaged: ${what} is not valid JSON (${(err as Error).message})`, EXIT.DATA);
  }
}

export function toTrial(r: TrialRow): TrialRecord {
  return {
    id: r.id,
    experimentId: r.experiment_id,
    key: r.trial_key,
    config: storedJson<TrialConfig>(r.config_json, `trial ${r.id}'s config_json`),
    dataset: r.dataset,
    model: r.model,
    activation: r.activation,
    seed: r.seed,
    epochs: r.epochs,
    status: r.status,
    epochsDone: r.epochs_done,
    attempts: r.attempts,
    claimPid: r.claim_pid,
    backend: r.backend,
    lishtVersion: r.lisht_version,
    gitCommit: r.git_commit,
    nodeVersion: r.node_version,
    platform: r.platform,
    dataSource: r.data_source,
    dataPath: r.data_path,
    params: r.params,
    trainCount: r.train_count,
    testCount: r.test_count,
    trainLoss: r.train_loss,
    trainAccuracy: r.train_accuracy,
    testLoss: r.test_loss,
    testAccuracy: r.test_accuracy,
    bestTestAccuracy: r.best_test_accuracy,
    bestEpoch: r.best_epoch,
    trainSeconds: r.train_seconds,
    wallSeconds: r.wall_seconds,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** NaN and infinities are stored as NULL (SQLite has no NaN); read back as NaN. */
export const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
const back = (v: number | null): number => (v === null ? NaN : v);

export function toExperiment(r: { id: number; name: string; spec_json: string; spec_hash: string; created_at: string; updated_at: string }): ExperimentRecord {
  return { id: r.id, name: r.name, spec: storedJson<ExperimentSpec>(r.spec_json, `experiment ${r.name}'s spec_json`), specHash: r.spec_hash, createdAt: r.created_at, updatedAt: r.updated_at };
}

export function toEpoch(r: { epoch: number; loss: number | null; accuracy: number | null; val_loss: number | null; val_accuracy: number | null; seconds: number }): EpochRecord {
  return { epoch: r.epoch, loss: back(r.loss), accuracy: back(r.accuracy), val_loss: back(r.val_loss), val_accuracy: back(r.val_accuracy), seconds: r.seconds };
}

export function toClassMetric(r: { class_index: number; class_name: string; support: number; correct: number; accuracy: number | null }): ClassMetric {
  return { classIndex: r.class_index, className: r.class_name, support: r.support, correct: r.correct, accuracy: r.accuracy };
}

export function toSample(r: { position: number; example_index: number; true_class: number; predicted_class: number }): SampleRecord {
  return { position: r.position, exampleIndex: r.example_index, trueClass: r.true_class, predictedClass: r.predicted_class };
}

export function toRun(r: { trial_id: number; pid: number; host: string; backend: string | null; start_epoch: number; end_epoch: number | null; outcome: TrialRun['outcome']; error: string | null; started_at: string; ended_at: string | null }): TrialRun {
  return { trialId: r.trial_id, pid: r.pid, host: r.host, backend: r.backend, startEpoch: r.start_epoch, endEpoch: r.end_epoch, outcome: r.outcome, error: r.error, startedAt: r.started_at, endedAt: r.ended_at };
}

/** Confusion matrices `[true][predicted]` from the stored non-zero cells, sized by each trial's class count. */
export function confusionMatrices(
  trialIds: readonly number[],
  classes: ReadonlyMap<number, readonly ClassMetric[]>,
  cells: ReadonlyMap<number, readonly { true_class: number; predicted_class: number; count: number }[]>,
): Map<number, number[][]> {
  const out = new Map<number, number[][]>();
  for (const id of trialIds) {
    const n = classes.get(id)?.length ?? 0;
    if (n === 0) continue;
    const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (const c of cells.get(id) ?? []) m[c.true_class]![c.predicted_class] = c.count;
    out.set(id, m);
  }
  return out;
}

/** Seconds between two ISO times, as a run's wall-clock time is counted. */
export function runSeconds(startedAt: string, endedAt: string): number {
  return (Date.parse(endedAt) - Date.parse(startedAt)) / 1000;
}

/** The results store. Open with {@link ResultStore.open}; close when done. */
export class ResultStore {
  private constructor(
    /** The file, as given. */
    readonly path: string,
    /** The better-sqlite3 handle, for queries of your own. */
    readonly database: BetterSqlite3.Database,
  ) {}

  /**
   * Opens (creating and migrating unless `readonly`) the store at `path`. Throws a UserError
   * for a locked, read-only, foreign or newer-schema database.
   */
  static open(path: string, options: StoreOptions = {}): ResultStore {
    let db: BetterSqlite3.Database | undefined;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false, timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
      if (options.readonly) {
        checkReadable(db, path);
      } else {
        // WAL: readers never block the writer, and a commit is one append (crash safe with
        // synchronous=FULL, at the cost of an fsync per epoch, which is nothing next to training).
        if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        migrate(db, path);
      }
      db.pragma('foreign_keys = ON');
      return new ResultStore(path, db);
    } catch (err) {
      db?.close();
      const code = (err as { code?: unknown }).code;
      // Reading a WAL database needs its -shm file, which SQLite cannot create in a folder we
      // may not write to (a shared or archived store): read a private copy instead.
      if (options.readonly && (code === 'SQLITE_READONLY_DIRECTORY' || code === 'SQLITE_CANTOPEN') && existsSync(path)) return ResultStore.openCopy(path);
      throw storeError(err, path);
    }
  }

  /** Opens a snapshot of `path` (and its WAL) copied into a temporary folder, for reading. */
  private static openCopy(path: string): ResultStore {
    const dir = mkdtempSync(join(tmpdir(), 'lisht-store-'));
    try {
      const copy = join(dir, basename(path));
      copyFileSync(path, copy);
      if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
      const db = new Database(copy);
      checkReadable(db, path);
      db.pragma('query_only = ON');
      const store = new ResultStore(path, db);
      store.cleanup = () => rmSync(dir, { recursive: true, force: true });
      return store;
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw storeError(err, path);
    }
  }

  private cleanup: (() => void) | undefined;

  close(): void {
    if (this.database.open) this.database.close();
    this.cleanup?.();
    this.cleanup = undefined;
  }

  /** Runs `fn` in a `BEGIN IMMEDIATE` transaction, mapping SQLite errors to UserErrors. */
  private write<T>(fn: () => T): T {
    try {
      return this.database.transaction(fn).immediate();
    } catch (err) {
      throw storeError(err, this.path);
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storeError(err, this.path);
    }
  }

  /**
   * Records the spec (a new version of an experiment of that name, or a new experiment) and
   * adds the trials of its grid that are not stored yet. Resolves to the experiment's id and
   * how many trials were added.
   */
  registerExperiment(
    spec: ExperimentSpec,
    specHash: string,
    trials: readonly PlannedTrial[],
    source: { path?: string; text?: string } = {},
  ): { experimentId: number; added: number } {
    return this.write(() => {
      const db = this.database;
      const t = now();
      const specJson = canonicalJson(spec);
      db.prepare(
        `INSERT INTO experiments (name, spec_json, spec_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET spec_json = excluded.spec_json, spec_hash = excluded.spec_hash,
           updated_at = CASE WHEN spec_hash = excluded.spec_hash THEN updated_at ELSE excluded.updated_at END`,
      ).run(spec.name, specJson, specHash, t, t);
      const { id } = db.prepare('SELECT id FROM experiments WHERE name = ?').get(spec.name) as { id: number };
      db.prepare(
        `INSERT OR IGNORE INTO spec_versions (experiment_id, spec_hash, spec_json, source_path, source_text, first_run_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(id, specHash, specJson, source.path ?? null, source.text ?? null, t);
      const insert = db.prepare(
        `INSERT OR IGNORE INTO trials (experiment_id, trial_key, config_json, dataset, model, activation, seed, epochs, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      // Only the trials not stored yet are serialised and inserted: registering a grid again
      // costs a key lookup per trial, not a JSON document and an insert.
      const stored = new Set((db.prepare('SELECT trial_key FROM trials WHERE experiment_id = ?').pluck().all(id) as string[]));
      let added = 0;
      for (const trial of trials) {
        if (stored.has(trial.key)) continue;
        const c = trial.config;
        added += insert.run(id, trial.key, canonicalJson(c), c.dataset.name, c.model.label, c.activation, c.seed, c.epochs, t).changes;
      }
      return { experimentId: id, added };
    });
  }

  /** The experiment named `name`, if stored. */
  experiment(name: string): ExperimentRecord | undefined {
    return this.experiments().find((e) => e.name === name);
  }

  /** Every experiment, oldest first. */
  experiments(): ExperimentRecord[] {
    return this.read(() =>
      (this.database.prepare('SELECT * FROM experiments ORDER BY id').all() as Parameters<typeof toExperiment>[0][]).map(toExperiment),
    );
  }

  /**
   * Claims the next trial of the experiment that nobody runs: a pending one, or a running one
   * whose process is dead or whose lease has expired (that run is marked lost). `keys`
   * restricts the choice to the current spec's grid. Resolves to undefined when none is left.
   */
  claimTrial(experimentId: number, claimant: Claimant, leaseMs: number, keys?: ReadonlySet<string>): ClaimedTrial | undefined {
    return this.write(() => {
      const db = this.database;
      const t = Date.now();
      const candidates = db
        .prepare(`SELECT * FROM trials WHERE experiment_id = ? AND status IN ('pending', 'running') ORDER BY id`)
        .all(experimentId) as TrialRow[];
      const free = candidates.find((r) => {
        if (keys !== undefined && !keys.has(r.trial_key)) return false;
        if (r.status === 'pending') return true;
        const lease = r.lease_until as number | null;
        if (lease !== null && lease < t) return true;
        // Only a process on this machine can be checked; elsewhere the lease decides.
        return r.claim_host === claimant.host && r.claim_pid !== null && !isProcessAlive(r.claim_pid, r.claim_pid_start);
      });
      if (free === undefined) return undefined;
      if (free.status === 'running') {
        db.prepare(`UPDATE trial_runs SET outcome = 'lost', end_epoch = ? WHERE trial_id = ? AND outcome IS NULL`).run(free.epochs_done, free.id);
      }
      const token = `${claimant.host}:${claimant.pid}:${t}:${Math.random().toString(36).slice(2, 10)}`;
      db.prepare(
        `UPDATE trials SET status = 'running', claim_token = ?, claim_pid = ?, claim_host = ?, claim_pid_start = ?, lease_until = ?,
           attempts = attempts + 1, backend = ?, lisht_version = ?, git_commit = ?, node_version = ?, platform = ?,
           started_at = coalesce(started_at, ?)
         WHERE id = ?`,
      ).run(token, claimant.pid, claimant.host, claimant.pidStart, t + leaseMs, claimant.backend, claimant.lishtVersion, claimant.gitCommit, process.version, `${process.platform}-${process.arch}`, now(), free.id);
      db.prepare(`INSERT INTO trial_runs (trial_id, claim_token, pid, host, backend, start_epoch, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
        free.id,
        token,
        claimant.pid,
        claimant.host,
        claimant.backend,
        free.epochs_done,
        now(),
      );
      return { trialId: free.id, token, key: free.trial_key, config: storedJson<TrialConfig>(free.config_json, `trial ${free.id}'s config_json`), epochsDone: free.epochs_done, attempts: free.attempts + 1 };
    });
  }

  /** Renews the lease inside a write; throws ClaimLostError when the claim is no longer ours. */
  private renew(claim: Claim, leaseMs: number): void {
    const r = this.database.prepare('UPDATE trials SET lease_until = ? WHERE id = ? AND claim_token = ?').run(Date.now() + leaseMs, claim.trialId, claim.token);
    if (r.changes === 0) throw new ClaimLostError(claim.trialId);
  }

  /** Renews the lease; false when another process has taken the trial over. */
  heartbeat(claim: Claim, leaseMs: number): boolean {
    try {
      this.write(() => this.renew(claim, leaseMs));
      return true;
    } catch (err) {
      if (err instanceof ClaimLostError) return false;
      throw err;
    }
  }

  /**
   * Makes the stored epochs and gradient-flow measurements exactly those of the checkpoint a
   * run resumes from: later ones, recorded by a run that died before its next checkpoint, are
   * deleted.
   */
  syncEpochs(claim: Claim, records: readonly EpochRecord[], leaseMs: number, flow: readonly GradientFlowRecord[] = []): void {
    this.write(() => {
      this.renew(claim, leaseMs);
      const db = this.database;
      db.prepare('DELETE FROM epochs WHERE trial_id = ?').run(claim.trialId);
      db.prepare('DELETE FROM gradient_flow WHERE trial_id = ?').run(claim.trialId);
      const insert = this.epochInsert();
      for (const r of records) insert(claim.trialId, r);
      const insertFlow = this.flowInsert();
      for (const f of flow) insertFlow(claim.trialId, f);
      db.prepare('UPDATE trials SET epochs_done = ? WHERE id = ?').run(records.length, claim.trialId);
    });
  }

  private epochInsert(): (trialId: number, r: EpochRecord) => void {
    const statement = this.database.prepare(
      `INSERT OR REPLACE INTO epochs (trial_id, epoch, loss, accuracy, val_loss, val_accuracy, seconds, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return (trialId, r) => statement.run(trialId, r.epoch, num(r.loss), num(r.accuracy), num(r.val_loss), num(r.val_accuracy), r.seconds, now());
  }

  private flowInsert(): (trialId: number, f: GradientFlowRecord) => void {
    const statement = this.database.prepare('INSERT OR REPLACE INTO gradient_flow (trial_id, epoch, record_json) VALUES (?, ?, ?)');
    return (trialId, f) => statement.run(trialId, f.epoch, JSON.stringify(f));
  }

  /**
   * Records a finished epoch, with the gradient-flow measurements taken since the last one
   * (the initial one comes with epoch 1), and advances `epochs_done`, in one transaction.
   */
  recordEpoch(claim: Claim, record: EpochRecord, leaseMs: number, flow: readonly GradientFlowRecord[] = []): void {
    this.write(() => {
      this.renew(claim, leaseMs);
      this.epochInsert()(claim.trialId, record);
      const insertFlow = this.flowInsert();
      for (const f of flow) insertFlow(claim.trialId, f);
      this.database.prepare('UPDATE trials SET epochs_done = ? WHERE id = ?').run(record.epoch, claim.trialId);
    });
  }

  /** Ends this process's run of the trial in `trial_runs`. */
  private endRun(claim: Claim, outcome: NonNullable<TrialRun['outcome']>, error: string | null): void {
    this.database
      .prepare(
        `UPDATE trial_runs SET outcome = ?, error = ?, ended_at = ?, end_epoch = (SELECT epochs_done FROM trials WHERE id = ?) WHERE claim_token = ?`,
      )
      .run(outcome, error, now(), claim.trialId, claim.token);
    const run = this.database.prepare('SELECT started_at, ended_at FROM trial_runs WHERE claim_token = ?').get(claim.token) as { started_at: string; ended_at: string };
    const seconds = runSeconds(run.started_at, run.ended_at);
    this.database.prepare('UPDATE trials SET wall_seconds = coalesce(wall_seconds, 0) + ? WHERE id = ?').run(seconds, claim.trialId);
  }

  /** Derived figures of a trial from its epochs: last train metrics, best test accuracy, time. */
  private summarizeEpochs(trialId: number): void {
    this.database
      .prepare(
        `UPDATE trials SET
           train_loss = (SELECT loss FROM epochs WHERE trial_id = :id ORDER BY epoch DESC LIMIT 1),
           train_accuracy = (SELECT accuracy FROM epochs WHERE trial_id = :id ORDER BY epoch DESC LIMIT 1),
           best_test_accuracy = (SELECT max(val_accuracy) FROM epochs WHERE trial_id = :id),
           best_epoch = (SELECT epoch FROM epochs WHERE trial_id = :id ORDER BY val_accuracy DESC, epoch LIMIT 1),
           train_seconds = (SELECT sum(seconds) FROM epochs WHERE trial_id = :id)
         WHERE id = :id`,
      )
      .run({ id: trialId });
  }

  /** Marks the trial done with its final results, in one transaction; the claim ends. */
  finishTrial(claim: Claim, final: TrialFinal, leaseMs: number): void {
    this.write(() => {
      this.renew(claim, leaseMs);
      const db = this.database;
      const id = claim.trialId;
      for (const table of ['class_metrics', 'confusion', 'samples']) db.prepare(`DELETE FROM ${table} WHERE trial_id = ?`).run(id);
      const cls = db.prepare('INSERT INTO class_metrics (trial_id, class_index, class_name, support, correct, accuracy) VALUES (?, ?, ?, ?, ?, ?)');
      final.classes.forEach((c, i) => cls.run(id, i, c.name, c.support, c.correct, c.support > 0 ? c.correct / c.support : null));
      const cell = db.prepare('INSERT INTO confusion (trial_id, true_class, predicted_class, count) VALUES (?, ?, ?, ?)');
      final.confusion.forEach((row, t) => row.forEach((count, p) => count > 0 && cell.run(id, t, p, count)));
      const sample = db.prepare('INSERT INTO samples (trial_id, position, example_index, true_class, predicted_class) VALUES (?, ?, ?, ?, ?)');
      final.samples.forEach((s, i) => sample.run(id, i, s.exampleIndex, s.trueClass, s.predictedClass));
      this.summarizeEpochs(id);
      db.prepare(
        `UPDATE trials SET params = ?, train_count = ?, test_count = ?, data_source = ?, data_path = ?, test_loss = ?, test_accuracy = ?,
           error = NULL, finished_at = ? WHERE id = ?`,
      ).run(final.params, final.trainCount, final.testCount, final.dataSource, final.dataPath, num(final.testLoss), num(final.testAccuracy), now(), id);
      this.endRun(claim, 'done', null);
      this.endClaim(id, 'done');
    });
  }

  /** Marks the trial failed (e.g. the loss diverged): recorded, counted, not run again. */
  failTrial(claim: Claim, error: string, leaseMs: number): void {
    this.write(() => {
      this.renew(claim, leaseMs);
      this.summarizeEpochs(claim.trialId);
      this.database.prepare(`UPDATE trials SET error = ?, finished_at = ? WHERE id = ?`).run(error, now(), claim.trialId);
      this.endRun(claim, 'failed', error);
      this.endClaim(claim.trialId, 'failed');
    });
  }

  /**
   * Gives the trial back (stopped by the user, or an error that is not the trial's fault): it
   * becomes pending and the next run resumes it from its checkpoint. A claim already lost is
   * left alone.
   */
  releaseTrial(claim: Claim, outcome: 'stopped' | 'error', error?: string): void {
    this.write(() => {
      const owned = this.database.prepare('SELECT 1 FROM trials WHERE id = ? AND claim_token = ?').get(claim.trialId, claim.token);
      if (owned === undefined) return;
      this.endRun(claim, outcome, error ?? null);
      this.endClaim(claim.trialId, 'pending');
    });
  }

  /** Sets the status a claim ends with and clears the claim, in one statement (see the CHECK). */
  private endClaim(trialId: number, status: Exclude<TrialStatus, 'running'>): void {
    this.database
      .prepare('UPDATE trials SET status = ?, claim_token = NULL, claim_pid = NULL, claim_host = NULL, claim_pid_start = NULL, lease_until = NULL WHERE id = ?')
      .run(status, trialId);
  }

  /** Trials of an experiment, in grid order. */
  trials(experimentId: number): TrialRecord[] {
    return this.read(() => (this.database.prepare('SELECT * FROM trials WHERE experiment_id = ? ORDER BY id').all(experimentId) as TrialRow[]).map(toTrial));
  }

  /** Count of trials per status. */
  progress(experimentId: number, keys?: ReadonlySet<string>): Record<TrialStatus, number> {
    const counts: Record<TrialStatus, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const t of this.trials(experimentId)) if (keys === undefined || keys.has(t.key)) counts[t.status]++;
    return counts;
  }

  /** Recorded epochs of each trial, in order. */
  epochs(trialIds: readonly number[]): Map<number, EpochRecord[]> {
    return this.byTrial(trialIds, 'SELECT * FROM epochs WHERE trial_id = ? ORDER BY epoch', toEpoch);
  }

  /** Gradient-flow measurements of each trial, by epoch (0: before training); empty when not recorded. */
  gradientFlow(trialIds: readonly number[]): Map<number, GradientFlowRecord[]> {
    return this.byTrial(trialIds, 'SELECT record_json FROM gradient_flow WHERE trial_id = ? ORDER BY epoch', (r: { record_json: string }) => storedJson<GradientFlowRecord>(r.record_json, 'a gradient_flow record_json'));
  }

  classMetrics(trialIds: readonly number[]): Map<number, ClassMetric[]> {
    return this.byTrial(trialIds, 'SELECT * FROM class_metrics WHERE trial_id = ? ORDER BY class_index', toClassMetric);
  }

  /** The confusion matrix of each trial, `[true][predicted]`, sized by its class count. */
  confusion(trialIds: readonly number[]): Map<number, number[][]> {
    const cells = this.byTrial(trialIds, 'SELECT * FROM confusion WHERE trial_id = ?', (r: { true_class: number; predicted_class: number; count: number }) => r);
    return confusionMatrices(trialIds, this.classMetrics(trialIds), cells);
  }

  samples(trialIds: readonly number[]): Map<number, SampleRecord[]> {
    return this.byTrial(trialIds, 'SELECT * FROM samples WHERE trial_id = ? ORDER BY position', toSample);
  }

  /** Every run of the trials, oldest first. */
  runs(trialIds: readonly number[]): Map<number, TrialRun[]> {
    return this.byTrial(trialIds, 'SELECT * FROM trial_runs WHERE trial_id = ? ORDER BY id', toRun);
  }

  private byTrial<R, T>(trialIds: readonly number[], sql: string, map: (row: R) => T): Map<number, T[]> {
    return this.read(() => {
      const statement = this.database.prepare(sql);
      const out = new Map<number, T[]>();
      for (const id of trialIds) out.set(id, (statement.all(id) as R[]).map(map));
      return out;
    });
  }
}

/** This machine's name, as claims record it. */
export function thisHost(): string {
  return hostname();
}
