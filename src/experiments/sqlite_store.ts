/**
 * The SQLite results store behind the {@link Store} interface: the synchronous
 * {@link ResultStore} (better-sqlite3), with checkpoints and saved models as folders beside
 * the file (`<db>.checkpoints/<trial id>/`, `<db>.models/<trial id>/`).
 */
import { rm, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { GradientFlowRecord } from '../diagnostics/types.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import type { EpochRecord } from './compare_types.js';
import { readFolder, writeFolder } from './folder_files.js';
import type { ExperimentSpec, PlannedTrial } from './spec.js';
import type { ArtifactKind, Store, StoredFile, TrialFolders } from './store_api.js';
import { ResultStore, storeError, type Claim, type ClaimedTrial, type Claimant, type StoreOptions, type TrialFinal } from './store.js';
import { STORE_TABLES } from './store_tables.js';

/** The checkpoint folder of a database: one sub-folder per trial id, next to the file. */
export function checkpointRoot(dbPath: string): string {
  return `${resolve(dbPath)}.checkpoints`;
}

/** Folder of the finished trials' models, one subfolder per trial id (`lisht inspect --db`). */
export function modelsRoot(dbPath: string): string {
  return `${resolve(dbPath)}.models`;
}

/** A SQLite results store; open with {@link SqliteStore.open}. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';

  constructor(
    /** The synchronous store, for SQLite's own queries. */
    readonly sync: ResultStore,
  ) {}

  /** Opens the file at `path` (see {@link ResultStore.open}). */
  static open(path: string, options: StoreOptions = {}): SqliteStore {
    return new SqliteStore(ResultStore.open(path, options));
  }

  get path(): string {
    return this.sync.path;
  }

  private rootOf(kind: ArtifactKind): string {
    return kind === 'checkpoint' ? checkpointRoot(this.path) : modelsRoot(this.path);
  }

  async registerExperiment(spec: ExperimentSpec, specHash: string, trials: readonly PlannedTrial[], source?: { path?: string; text?: string }) {
    return this.sync.registerExperiment(spec, specHash, trials, source);
  }
  async experiment(name: string) {
    return this.sync.experiment(name);
  }
  async experiments() {
    return this.sync.experiments();
  }
  async claimTrial(experimentId: number, claimant: Claimant, leaseMs: number, keys?: ReadonlySet<string>) {
    return this.sync.claimTrial(experimentId, claimant, leaseMs, keys);
  }
  async heartbeat(claim: Claim, leaseMs: number) {
    return this.sync.heartbeat(claim, leaseMs);
  }
  async syncEpochs(claim: Claim, records: readonly EpochRecord[], leaseMs: number, flow?: readonly GradientFlowRecord[]) {
    this.sync.syncEpochs(claim, records, leaseMs, flow);
  }
  async recordEpoch(claim: Claim, record: EpochRecord, leaseMs: number, flow?: readonly GradientFlowRecord[]) {
    this.sync.recordEpoch(claim, record, leaseMs, flow);
  }
  async finishTrial(claim: Claim, final: TrialFinal, leaseMs: number) {
    this.sync.finishTrial(claim, final, leaseMs);
  }
  async failTrial(claim: Claim, error: string, leaseMs: number) {
    this.sync.failTrial(claim, error, leaseMs);
  }
  async releaseTrial(claim: Claim, outcome: 'stopped' | 'error', error?: string) {
    this.sync.releaseTrial(claim, outcome, error);
  }

  async trialFolders(claim: ClaimedTrial, saveModels: boolean): Promise<TrialFolders> {
    const id = String(claim.trialId);
    return { checkpointDir: join(checkpointRoot(this.path), id), ...(saveModels ? { modelsDir: join(modelsRoot(this.path), id) } : {}) };
  }
  async closeTrialFolders(): Promise<void> {}
  async modelsRoot(): Promise<string> {
    return modelsRoot(this.path);
  }
  async pruneCheckpoints(experimentId: number): Promise<void> {
    const root = checkpointRoot(this.path);
    for (const t of this.sync.trials(experimentId)) if (t.status === 'done' || t.status === 'failed') await rm(join(root, String(t.id)), { recursive: true, force: true });
    // Leave no empty folder behind.
    await rmdir(root).catch(() => undefined);
  }

  async trials(experimentId: number) {
    return this.sync.trials(experimentId);
  }
  async progress(experimentId: number, keys?: ReadonlySet<string>) {
    return this.sync.progress(experimentId, keys);
  }
  async epochs(ids: readonly number[]) {
    return this.sync.epochs(ids);
  }
  async gradientFlow(ids: readonly number[]) {
    return this.sync.gradientFlow(ids);
  }
  async classMetrics(ids: readonly number[]) {
    return this.sync.classMetrics(ids);
  }
  async confusion(ids: readonly number[]) {
    return this.sync.confusion(ids);
  }
  async samples(ids: readonly number[]) {
    return this.sync.samples(ids);
  }
  async runs(ids: readonly number[]) {
    return this.sync.runs(ids);
  }

  async dumpTable(table: string): Promise<Record<string, unknown>[]> {
    if (!(table in STORE_TABLES)) throw new Error(`unknown table ${table}`);
    try {
      return this.sync.database.prepare(`SELECT * FROM ${table} ORDER BY ${STORE_TABLES[table]!.order}`).all() as Record<string, unknown>[];
    } catch (err) {
      throw storeError(err, this.path);
    }
  }

  async dumpArtifacts(): Promise<StoredFile[]> {
    const files: StoredFile[] = [];
    const ids = (this.sync.database.prepare('SELECT id FROM trials ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    for (const kind of ['checkpoint', 'model'] as const) {
      for (const trialId of ids) for (const f of await readFolder(join(this.rootOf(kind), String(trialId)))) files.push({ trialId, kind, ...f });
    }
    return files;
  }

  async load(tables: ReadonlyMap<string, Record<string, unknown>[]>, files: readonly StoredFile[]): Promise<void> {
    const db = this.sync.database;
    try {
      db.transaction(() => {
        const n = (db.prepare('SELECT count(*) AS n FROM experiments').get() as { n: number }).n;
        if (n > 0) throw new UserError(`${this.path} already holds experiments; copy into a new database`, EXIT.CANT_CREATE);
        for (const [table, rows] of tables) {
          if (rows.length === 0) continue;
          const columns = Object.keys(rows[0]!);
          const insert = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
          for (const row of rows) insert.run(...columns.map((c) => (row[c] ?? null) as never));
        }
      }).immediate();
    } catch (err) {
      throw storeError(err, this.path);
    }
    const byFolder = new Map<string, StoredFile[]>();
    for (const f of files) {
      const dir = join(this.rootOf(f.kind), String(f.trialId));
      byFolder.set(dir, [...(byFolder.get(dir) ?? []), f]);
    }
    for (const [dir, list] of byFolder) await writeFolder(dir, list);
  }

  async close(): Promise<void> {
    this.sync.close();
  }
}
