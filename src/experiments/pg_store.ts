/**
 * The results store in PostgreSQL (node-postgres), for workers on many machines: the same
 * tables as the SQLite store, and the trials table is the queue. A worker claims the first
 * claimable trial with `SELECT ... FOR UPDATE SKIP LOCKED` (concurrent claimers skip each
 * other's rows instead of waiting), holding it under a lease `lease_until` set from the
 * database's `now()` and renewed by heartbeats; a trial whose lease ran out is taken over.
 * Process ids are recorded but never consulted: they mean nothing across machines.
 *
 * Checkpoints and saved models live in the `artifacts` table (one bytea row per file), written
 * in the same transaction as the epoch or result they belong to. Every operation is retried
 * with backoff while the server is unreachable (a restart), for up to `reconnectMs`; writes
 * whose commit may or may not have happened are recognised by their claim token when retried.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { GradientFlowRecord } from '../diagnostics/types.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import type { EpochRecord } from './compare_types.js';
import { readFolder, writeFolder, type FolderFile } from './folder_files.js';
import { inspectPgSchema, migratePg } from './pg_migrations.js';
import { SCHEMA_VERSION } from './migrations.js';
import type { ExperimentSpec, PlannedTrial, TrialConfig } from './spec.js';
import { canonicalJson } from './spec_plan.js';
import type { ArtifactKind, Store, StoredFile, TrialFolders } from './store_api.js';
import { STORE_TABLES } from './store_tables.js';
import {
  ClaimLostError,
  confusionMatrices,
  now,
  num,
  runSeconds,
  storedJson,
  toClassMetric,
  toEpoch,
  toExperiment,
  toRun,
  toSample,
  toTrial,
  type Claim,
  type ClaimedTrial,
  type Claimant,
  type ClassMetric,
  type TrialFinal,
  type TrialRow,
  type TrialRun,
  type TrialStatus,
} from './store.js';

/** True when `db` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

export interface PgStoreOptions {
  /** Only read: the schema must exist and be current. */
  readonly?: boolean;
  /** How long to keep retrying while the server is unreachable; 0 (default): fail at once. */
  reconnectMs?: number;
  /**
   * Told before each wait for an unreachable server: what failed, when the next try is and how
   * long retrying goes on, so a waiting process says what it waits for instead of nothing.
   */
  onWait?: (wait: { reason: string; retryInMs: number; giveUpInMs: number }) => void;
  /** Aborting it ends a wait for the server at once, with a UserError of exit code 130. */
  signal?: AbortSignal;
}

/** Where a URL points, as messages name it: `host:port`. */
function hostPort(url: URL): string {
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  return `${host}:${url.port || '5432'}`;
}

/** The URL without its password, for messages and records. */
function displayUrl(url: URL): string {
  const shown = new URL(url.href);
  shown.password = '';
  return shown.href;
}

/** Errors that mean "the server is (for now) not there": worth waiting and reconnecting. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03', '40001', '40P01']);

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|not queryable/i.test(message);
}

/** A one-line UserError naming the server and what failed, or the error itself when it is not the database's. */
function pgError(err: unknown, where: string): unknown {
  if (err instanceof UserError || err instanceof ClaimLostError) return err;
  const code = (err as { code?: unknown }).code;
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  const at = `PostgreSQL at ${where}`;
  if (code === '28P01' || code === '28000') return new UserError(`${at} refused the login: ${message}`, EXIT.UNAVAILABLE);
  if (code === '3D000') return new UserError(`${at}: ${message}; create it first (createdb)`, EXIT.UNAVAILABLE);
  if (code === 'ECONNREFUSED') return new UserError(`cannot connect to ${at}: connection refused (is the server running and listening there?)`, EXIT.UNAVAILABLE);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UserError(`cannot connect to ${at}: unknown host`, EXIT.UNAVAILABLE);
  if (/does not support SSL/i.test(message)) {
    return new UserError(`cannot connect to ${at}: the server does not support SSL connections (the URL asks for it: drop sslmode=require, or enable ssl on the server)`, EXIT.UNAVAILABLE);
  }
  if (code === '53100') return new UserError(`${at}: the database's disk is full (${message}); the last write was rolled back`, EXIT.IO);
  if (code === '42501') return new UserError(`${at}: permission denied (${message})`, EXIT.CANT_CREATE);
  if (isConnectionError(err)) return new UserError(`lost the connection to ${at}: ${message}`, EXIT.UNAVAILABLE);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return new UserError(`${at}: ${message} (SQLSTATE ${code})`, EXIT.SOFTWARE);
  return err;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rows per INSERT when loading a copy: well under PostgreSQL's 65,535 parameters. */
const LOAD_BATCH = 500;

interface OpenTrial {
  token: string;
  scratch: string;
  folders: TrialFolders;
}

/** A PostgreSQL results store; open with {@link PgStore.open}. */
export class PgStore implements Store {
  readonly kind = 'postgres';
  private readonly open = new Map<number, OpenTrial>();

  private constructor(
    /** The URL without its password. */
    readonly path: string,
    /** `host:port`, as messages name the server. */
    readonly where: string,
    /** The connection pool, for queries of your own. */
    readonly pool: pg.Pool,
    private readonly reconnectMs: number,
    private readonly waiting: Pick<PgStoreOptions, 'onWait' | 'signal'> = {},
  ) {}

  /**
   * Connects to the database at `url` (creating and migrating the schema unless `readonly`).
   * Throws a one-line UserError naming the server for a refused connection, a wrong password,
   * a missing database, or a schema from a newer lisht.
   */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UserError(`--db ${url}: not a valid PostgreSQL URL (postgres://user@host:port/database)`);
    }
    const where = hostPort(parsed);
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000, application_name: 'lisht' });
    // An idle connection the server closes (a restart) is reported here; the next query reconnects.
    pool.on('error', () => undefined);
    const store = new PgStore(displayUrl(parsed), where, pool, options.reconnectMs ?? 0, { onWait: options.onWait, signal: options.signal });
    try {
      await store.withClient(async (client) => {
        if (!options.readonly) return migratePg(client, store.describe());
        const version = await inspectPgSchema(client, store.describe());
        if (version === 0) throw new UserError(`${store.describe()} holds no results yet; run \`lisht run SPEC --db URL\` first`, EXIT.NO_INPUT);
        if (version < SCHEMA_VERSION) throw new UserError(`${store.describe()} has schema version ${version}; run \`lisht run\` on it once to upgrade it to ${SCHEMA_VERSION}`);
      });
      return store;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  /** How messages name this database: `database lisht on PostgreSQL at host:port`. */
  private describe(): string {
    const name = new URL(this.path).pathname.replace(/^\//, '') || '(default)';
    return `database ${name} on PostgreSQL at ${this.where}`;
  }

  /** Runs `fn` on one pooled connection, retrying the whole of it while the server is unreachable. */
  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        // A connection cut while the client is checked out is reported on the client itself
        // (and, unhandled, would end the process); the query in flight fails and is retried.
        if (client.listenerCount('error') === 0) client.on('error', () => undefined);
        const result = await fn(client);
        client.release();
        return result;
      } catch (err) {
        // A connection that failed is dropped, not handed to the next caller.
        client?.release(isConnectionError(err) ? true : undefined);
        if (!isConnectionError(err) || Date.now() - started >= this.reconnectMs) throw pgError(err, this.where);
        const delay = Math.min(5000, 100 * 2 ** attempt);
        const reason = pgError(err, this.where);
        this.waiting.onWait?.({ reason: reason instanceof Error ? reason.message : String(reason), retryInMs: delay, giveUpInMs: this.reconnectMs - (Date.now() - started) });
        await this.pause(delay);
      }
    }
  }

  /** Sleeps `ms`, or throws (exit 130) as soon as the store's signal aborts. */
  private async pause(ms: number): Promise<void> {
    const signal = this.waiting.signal;
    const stopped = () => new UserError(`stopped while waiting for PostgreSQL at ${this.where}`, EXIT.INTERRUPTED);
    if (signal?.aborted) throw stopped();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
    if (signal?.aborted) throw stopped();
  }

  /** Runs `fn` in one transaction (retried whole, see {@link withClient}). */
  private transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  private async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.withClient(async (client) => (await client.query<R>(sql, params)).rows);
  }

  async registerExperiment(spec: ExperimentSpec, specHash: string, trials: readonly PlannedTrial[], source: { path?: string; text?: string } = {}) {
    const t = now();
    const specJson = canonicalJson(spec);
    return this.transaction(async (c) => {
      const { rows } = await c.query<{ id: number }>(
        `INSERT INTO experiments (name, spec_json, spec_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (name) DO UPDATE SET spec_json = excluded.spec_json, spec_hash = excluded.spec_hash,
           updated_at = CASE WHEN experiments.spec_hash = excluded.spec_hash THEN experiments.updated_at ELSE excluded.updated_at END
         RETURNING id`,
        [spec.name, specJson, specHash, t],
      );
      const id = rows[0]!.id;
      await c.query(
        `INSERT INTO spec_versions (experiment_id, spec_hash, spec_json, source_path, source_text, first_run_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [id, specHash, specJson, source.path ?? null, source.text ?? null, t],
      );
      // Only the trials not stored yet are serialised and sent (see the SQLite store).
      const stored = await c.query<{ trial_key: string }>('SELECT trial_key FROM trials WHERE experiment_id = $1', [id]);
      const known = new Set(stored.rows.map((r) => r.trial_key));
      trials = trials.filter((p) => !known.has(p.key));
      const cs = trials.map((p) => p.config);
      // In grid order, so trial ids follow the grid as in SQLite.
      const added = await c.query(
        `INSERT INTO trials (experiment_id, trial_key, config_json, dataset, model, activation, seed, epochs, created_at)
         SELECT $1, k, j, d, m, a, s, e, $9 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[])
           WITH ORDINALITY AS g(k, j, d, m, a, s, e, n) ORDER BY n
         ON CONFLICT (experiment_id, trial_key) DO NOTHING`,
        [
          id,
          trials.map((p) => p.key),
          cs.map((x) => canonicalJson(x)),
          cs.map((x) => x.dataset.name),
          cs.map((x) => x.model.label),
          cs.map((x) => x.activation),
          cs.map((x) => x.seed),
          cs.map((x) => x.epochs),
          t,
        ],
      );
      return { experimentId: id, added: added.rowCount ?? 0 };
    });
  }

  async experiment(name: string) {
    return (await this.experiments()).find((e) => e.name === name);
  }

  async experiments() {
    return (await this.rows<Parameters<typeof toExperiment>[0]>('SELECT * FROM experiments ORDER BY id')).map(toExperiment);
  }

  async claimTrial(experimentId: number, claimant: Claimant, leaseMs: number, keys?: ReadonlySet<string>): Promise<ClaimedTrial | undefined> {
    // Chosen before the transaction: a retry after a commit whose answer was lost finds its own claim.
    const token = `${claimant.host}:${claimant.pid}:${Date.now()}:${randomBytes(6).toString('hex')}`;
    const claimed = (r: TrialRow, attempts: number): ClaimedTrial => ({ trialId: r.id, token, key: r.trial_key, config: storedJson<TrialConfig>(r.config_json, `trial ${r.id}'s config_json`), epochsDone: r.epochs_done, attempts });
    let retried = false;
    return this.transaction(async (c) => {
      if (retried) {
        const mine = await c.query<TrialRow>('SELECT * FROM trials WHERE claim_token = $1', [token]);
        if (mine.rows.length > 0) return claimed(mine.rows[0]!, mine.rows[0]!.attempts);
      }
      retried = true;
      const { rows } = await c.query<TrialRow>(
        `SELECT * FROM trials
         WHERE experiment_id = $1 AND (status = 'pending' OR (status = 'running' AND lease_until < now()))
           AND ($2::text[] IS NULL OR trial_key = ANY($2::text[]))
         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [experimentId, keys === undefined ? null : [...keys]],
      );
      const free = rows[0];
      if (free === undefined) return undefined;
      if (free.status === 'running') {
        await c.query(`UPDATE trial_runs SET outcome = 'lost', end_epoch = $1 WHERE trial_id = $2 AND outcome IS NULL`, [free.epochs_done, free.id]);
      }
      await c.query(
        `UPDATE trials SET status = 'running', claim_token = $1, claim_pid = $2, claim_host = $3, claim_pid_start = $4,
           lease_until = now() + $5 * interval '1 millisecond', attempts = attempts + 1, backend = $6, lisht_version = $7, git_commit = $8,
           node_version = $9, platform = $10, started_at = coalesce(started_at, $11)
         WHERE id = $12`,
        [token, claimant.pid, claimant.host, claimant.pidStart, leaseMs, claimant.backend, claimant.lishtVersion, claimant.gitCommit, process.version, `${process.platform}-${process.arch}`, now(), free.id],
      );
      await c.query(`INSERT INTO trial_runs (trial_id, claim_token, pid, host, backend, start_epoch, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        free.id,
        token,
        claimant.pid,
        claimant.host,
        claimant.backend,
        free.epochs_done,
        now(),
      ]);
      return claimed(free, free.attempts + 1);
    });
  }

  /** Renews the lease inside a write; throws ClaimLostError when the claim is no longer ours. */
  private async renew(c: pg.PoolClient, claim: Claim, leaseMs: number): Promise<void> {
    const r = await c.query(`UPDATE trials SET lease_until = now() + $1 * interval '1 millisecond' WHERE id = $2 AND claim_token = $3`, [leaseMs, claim.trialId, claim.token]);
    if (r.rowCount === 0) throw new ClaimLostError(claim.trialId);
  }

  /**
   * For a write that ends the claim: true when this claim already ended with `outcome` (the
   * same write, retried after its commit's answer was lost); else renews, or throws ClaimLostError.
   */
  private async endingWrite(c: pg.PoolClient, claim: Claim, leaseMs: number, outcome: NonNullable<TrialRun['outcome']>): Promise<boolean> {
    const run = await c.query<{ outcome: string | null }>('SELECT outcome FROM trial_runs WHERE claim_token = $1', [claim.token]);
    if (run.rows[0]?.outcome === outcome) return true;
    await this.renew(c, claim, leaseMs);
    return false;
  }

  async heartbeat(claim: Claim, leaseMs: number): Promise<boolean> {
    try {
      await this.withClient((c) => this.renew(c, claim, leaseMs));
      return true;
    } catch (err) {
      if (err instanceof ClaimLostError) return false;
      throw err;
    }
  }

  private async insertEpochs(c: pg.PoolClient, trialId: number, records: readonly EpochRecord[], flow: readonly GradientFlowRecord[]): Promise<void> {
    const t = now();
    for (const r of records) {
      await c.query(
        `INSERT INTO epochs (trial_id, epoch, loss, accuracy, val_loss, val_accuracy, seconds, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (trial_id, epoch) DO UPDATE SET loss = excluded.loss, accuracy = excluded.accuracy, val_loss = excluded.val_loss,
           val_accuracy = excluded.val_accuracy, seconds = excluded.seconds, recorded_at = excluded.recorded_at`,
        [trialId, r.epoch, num(r.loss), num(r.accuracy), num(r.val_loss), num(r.val_accuracy), r.seconds, t],
      );
    }
    for (const f of flow) {
      await c.query(`INSERT INTO gradient_flow (trial_id, epoch, record_json) VALUES ($1, $2, $3) ON CONFLICT (trial_id, epoch) DO UPDATE SET record_json = excluded.record_json`, [
        trialId,
        f.epoch,
        JSON.stringify(f),
      ]);
    }
  }

  /** Replaces the stored files of one kind of a trial by `files`. */
  private async putFiles(c: pg.PoolClient, trialId: number, kind: ArtifactKind, files: readonly FolderFile[]): Promise<void> {
    await c.query('DELETE FROM artifacts WHERE trial_id = $1 AND kind = $2', [trialId, kind]);
    for (const f of files) await c.query('INSERT INTO artifacts (trial_id, kind, path, data) VALUES ($1, $2, $3, $4)', [trialId, kind, f.path, Buffer.from(f.data)]);
  }

  /** The files in a claimed trial's scratch folder of `kind`, when this process trains it. */
  private async localFiles(claim: Claim, kind: ArtifactKind): Promise<FolderFile[] | undefined> {
    const open = this.open.get(claim.trialId);
    if (open === undefined || open.token !== claim.token) return undefined;
    const dir = kind === 'checkpoint' ? open.folders.checkpointDir : open.folders.modelsDir;
    return dir === undefined ? undefined : readFolder(dir);
  }

  async syncEpochs(claim: Claim, records: readonly EpochRecord[], leaseMs: number, flow: readonly GradientFlowRecord[] = []): Promise<void> {
    // The initial model, saved as training starts from scratch, goes in with the reset.
    const models = await this.localFiles(claim, 'model');
    await this.transaction(async (c) => {
      await this.renew(c, claim, leaseMs);
      await c.query('DELETE FROM epochs WHERE trial_id = $1', [claim.trialId]);
      await c.query('DELETE FROM gradient_flow WHERE trial_id = $1', [claim.trialId]);
      await this.insertEpochs(c, claim.trialId, records, flow);
      await c.query('UPDATE trials SET epochs_done = $1 WHERE id = $2', [records.length, claim.trialId]);
      if (models !== undefined && models.length > 0) await this.putFiles(c, claim.trialId, 'model', models);
    });
  }

  async recordEpoch(claim: Claim, record: EpochRecord, leaseMs: number, flow: readonly GradientFlowRecord[] = []): Promise<void> {
    // The checkpoint the trainer wrote after this epoch, stored with the epoch in one transaction.
    const checkpoint = await this.localFiles(claim, 'checkpoint');
    await this.transaction(async (c) => {
      await this.renew(c, claim, leaseMs);
      await this.insertEpochs(c, claim.trialId, [record], flow);
      await c.query('UPDATE trials SET epochs_done = $1 WHERE id = $2', [record.epoch, claim.trialId]);
      if (checkpoint !== undefined && checkpoint.length > 0) await this.putFiles(c, claim.trialId, 'checkpoint', checkpoint);
    });
  }

  private async endRun(c: pg.PoolClient, claim: Claim, outcome: NonNullable<TrialRun['outcome']>, error: string | null): Promise<void> {
    const ended = now();
    const { rows } = await c.query<{ started_at: string }>(
      `UPDATE trial_runs SET outcome = $1, error = $2, ended_at = $3, end_epoch = (SELECT epochs_done FROM trials WHERE id = $4) WHERE claim_token = $5 RETURNING started_at`,
      [outcome, error, ended, claim.trialId, claim.token],
    );
    if (rows[0] !== undefined) await c.query('UPDATE trials SET wall_seconds = coalesce(wall_seconds, 0) + $1 WHERE id = $2', [runSeconds(rows[0].started_at, ended), claim.trialId]);
  }

  private async endClaim(c: pg.PoolClient, trialId: number, status: Exclude<TrialStatus, 'running'>): Promise<void> {
    await c.query('UPDATE trials SET status = $1, claim_token = NULL, claim_pid = NULL, claim_host = NULL, claim_pid_start = NULL, lease_until = NULL WHERE id = $2', [status, trialId]);
  }

  private async summarizeEpochs(c: pg.PoolClient, trialId: number): Promise<void> {
    await c.query(
      `UPDATE trials SET
         train_loss = (SELECT loss FROM epochs WHERE trial_id = $1 ORDER BY epoch DESC LIMIT 1),
         train_accuracy = (SELECT accuracy FROM epochs WHERE trial_id = $1 ORDER BY epoch DESC LIMIT 1),
         best_test_accuracy = (SELECT max(val_accuracy) FROM epochs WHERE trial_id = $1),
         best_epoch = (SELECT epoch FROM epochs WHERE trial_id = $1 ORDER BY val_accuracy DESC NULLS LAST, epoch LIMIT 1),
         train_seconds = (SELECT sum(seconds) FROM epochs WHERE trial_id = $1)
       WHERE id = $1`,
      [trialId],
    );
  }

  async finishTrial(claim: Claim, final: TrialFinal, leaseMs: number): Promise<void> {
    const models = await this.localFiles(claim, 'model');
    const id = claim.trialId;
    await this.transaction(async (c) => {
      if (await this.endingWrite(c, claim, leaseMs, 'done')) return;
      for (const table of ['class_metrics', 'confusion', 'samples']) await c.query(`DELETE FROM ${table} WHERE trial_id = $1`, [id]);
      await c.query(
        `INSERT INTO class_metrics (trial_id, class_index, class_name, support, correct, accuracy)
         SELECT $1, n - 1, name, s, k, CASE WHEN s > 0 THEN k::float8 / s END FROM unnest($2::text[], $3::int[], $4::int[]) WITH ORDINALITY AS g(name, s, k, n)`,
        [id, final.classes.map((x) => x.name), final.classes.map((x) => x.support), final.classes.map((x) => x.correct)],
      );
      const cells = final.confusion.flatMap((row, t) => row.flatMap((count, p) => (count > 0 ? [[t, p, count] as const] : [])));
      await c.query(`INSERT INTO confusion (trial_id, true_class, predicted_class, count) SELECT $1, t, p, k FROM unnest($2::int[], $3::int[], $4::int[]) AS g(t, p, k)`, [
        id,
        cells.map((x) => x[0]),
        cells.map((x) => x[1]),
        cells.map((x) => x[2]),
      ]);
      await c.query(
        `INSERT INTO samples (trial_id, position, example_index, true_class, predicted_class)
         SELECT $1, n - 1, e, t, p FROM unnest($2::int[], $3::int[], $4::int[]) WITH ORDINALITY AS g(e, t, p, n)`,
        [id, final.samples.map((s) => s.exampleIndex), final.samples.map((s) => s.trueClass), final.samples.map((s) => s.predictedClass)],
      );
      await this.summarizeEpochs(c, id);
      await c.query(
        `UPDATE trials SET params = $1, train_count = $2, test_count = $3, data_source = $4, data_path = $5, test_loss = $6, test_accuracy = $7,
           error = NULL, finished_at = $8 WHERE id = $9`,
        [final.params, final.trainCount, final.testCount, final.dataSource, final.dataPath, num(final.testLoss), num(final.testAccuracy), now(), id],
      );
      if (models !== undefined) await this.putFiles(c, id, 'model', models);
      await c.query(`DELETE FROM artifacts WHERE trial_id = $1 AND kind = 'checkpoint'`, [id]);
      await this.endRun(c, claim, 'done', null);
      await this.endClaim(c, id, 'done');
    });
  }

  async failTrial(claim: Claim, error: string, leaseMs: number): Promise<void> {
    await this.transaction(async (c) => {
      if (await this.endingWrite(c, claim, leaseMs, 'failed')) return;
      await this.summarizeEpochs(c, claim.trialId);
      await c.query('UPDATE trials SET error = $1, finished_at = $2 WHERE id = $3', [error, now(), claim.trialId]);
      await c.query('DELETE FROM artifacts WHERE trial_id = $1', [claim.trialId]);
      await this.endRun(c, claim, 'failed', error);
      await this.endClaim(c, claim.trialId, 'failed');
    });
  }

  async releaseTrial(claim: Claim, outcome: 'stopped' | 'error', error?: string): Promise<void> {
    await this.transaction(async (c) => {
      const owned = await c.query('SELECT 1 FROM trials WHERE id = $1 AND claim_token = $2 FOR UPDATE', [claim.trialId, claim.token]);
      if (owned.rows.length === 0) return;
      await this.endRun(c, claim, outcome, error ?? null);
      await this.endClaim(c, claim.trialId, 'pending');
    });
  }

  private async filesOf(trialId: number, kind: ArtifactKind): Promise<FolderFile[]> {
    const rows = await this.rows<{ path: string; data: Buffer }>('SELECT path, data FROM artifacts WHERE trial_id = $1 AND kind = $2 ORDER BY path', [trialId, kind]);
    return rows.map((r) => ({ path: r.path, data: new Uint8Array(r.data) }));
  }

  async trialFolders(claim: ClaimedTrial, saveModels: boolean): Promise<TrialFolders> {
    await this.closeTrialFolders(claim);
    const scratch = await mkdtemp(join(tmpdir(), `lisht-trial-${claim.trialId}-`));
    const folders: TrialFolders = { checkpointDir: join(scratch, 'checkpoint'), ...(saveModels ? { modelsDir: join(scratch, 'models') } : {}) };
    try {
      await writeFolder(folders.checkpointDir, await this.filesOf(claim.trialId, 'checkpoint'));
      if (folders.modelsDir !== undefined) await writeFolder(folders.modelsDir, await this.filesOf(claim.trialId, 'model'));
    } catch (err) {
      await rm(scratch, { recursive: true, force: true });
      throw err;
    }
    this.open.set(claim.trialId, { token: claim.token, scratch, folders });
    return folders;
  }

  async closeTrialFolders(claim: Claim): Promise<void> {
    const open = this.open.get(claim.trialId);
    if (open === undefined) return;
    this.open.delete(claim.trialId);
    await rm(open.scratch, { recursive: true, force: true });
  }

  async modelsRoot(trialIds: readonly number[], scratch: string): Promise<string> {
    for (const id of trialIds) {
      const files = await this.filesOf(id, 'model');
      if (files.length > 0) await writeFolder(join(scratch, String(id)), files);
    }
    return scratch;
  }

  async pruneCheckpoints(experimentId: number): Promise<void> {
    await this.rows(
      `DELETE FROM artifacts a USING trials t WHERE a.trial_id = t.id AND t.experiment_id = $1 AND a.kind = 'checkpoint' AND t.status IN ('done', 'failed')`,
      [experimentId],
    );
  }

  async trials(experimentId: number) {
    return (await this.rows<TrialRow>('SELECT * FROM trials WHERE experiment_id = $1 ORDER BY id', [experimentId])).map(toTrial);
  }

  async progress(experimentId: number, keys?: ReadonlySet<string>): Promise<Record<TrialStatus, number>> {
    const counts: Record<TrialStatus, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    const rows = await this.rows<{ status: TrialStatus; n: number }>(
      `SELECT status, count(*)::int AS n FROM trials WHERE experiment_id = $1 AND ($2::text[] IS NULL OR trial_key = ANY($2::text[])) GROUP BY status`,
      [experimentId, keys === undefined ? null : [...keys]],
    );
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  /** Rows of `table` for each of `trialIds` (every id present, maybe empty), in `order`. */
  private async byTrial<R, T>(trialIds: readonly number[], table: string, order: string, map: (row: R) => T): Promise<Map<number, T[]>> {
    const out = new Map<number, T[]>(trialIds.map((id) => [id, []]));
    if (trialIds.length === 0) return out;
    const rows = await this.rows<R & { trial_id: number }>(`SELECT * FROM ${table} WHERE trial_id = ANY($1::int[]) ORDER BY trial_id, ${order}`, [[...trialIds]]);
    for (const r of rows) out.get(r.trial_id)?.push(map(r));
    return out;
  }

  epochs(ids: readonly number[]) {
    return this.byTrial(ids, 'epochs', 'epoch', toEpoch);
  }
  gradientFlow(ids: readonly number[]) {
    return this.byTrial(ids, 'gradient_flow', 'epoch', (r: { trial_id: number; record_json: string }) => storedJson<GradientFlowRecord>(r.record_json, 'a gradient_flow record_json'));
  }
  classMetrics(ids: readonly number[]): Promise<Map<number, ClassMetric[]>> {
    return this.byTrial(ids, 'class_metrics', 'class_index', toClassMetric);
  }
  async confusion(ids: readonly number[]) {
    const cells = await this.byTrial(ids, 'confusion', 'true_class, predicted_class', (r: { trial_id: number; true_class: number; predicted_class: number; count: number }) => r);
    return confusionMatrices(ids, await this.classMetrics(ids), cells);
  }
  samples(ids: readonly number[]) {
    return this.byTrial(ids, 'samples', 'position', toSample);
  }
  runs(ids: readonly number[]) {
    return this.byTrial(ids, 'trial_runs', 'id', toRun);
  }

  async dumpTable(table: string): Promise<Record<string, unknown>[]> {
    if (!(table in STORE_TABLES)) throw new Error(`unknown table ${table}`);
    return this.rows(`SELECT * FROM ${table} ORDER BY ${STORE_TABLES[table]!.order}`);
  }

  async dumpArtifacts(): Promise<StoredFile[]> {
    const rows = await this.rows<{ trial_id: number; kind: ArtifactKind; path: string; data: Buffer }>('SELECT * FROM artifacts ORDER BY trial_id, kind, path');
    return rows.map((r) => ({ trialId: r.trial_id, kind: r.kind, path: r.path, data: new Uint8Array(r.data) }));
  }

  async load(tables: ReadonlyMap<string, Record<string, unknown>[]>, files: readonly StoredFile[]): Promise<void> {
    await this.transaction(async (c) => {
      const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM experiments');
      if (rows[0]!.n > 0) throw new UserError(`${this.describe()} already holds experiments; copy into a new database`, EXIT.CANT_CREATE);
      for (const [table, list] of tables) {
        for (let i = 0; i < list.length; i += LOAD_BATCH) {
          const batch = list.slice(i, i + LOAD_BATCH);
          const columns = Object.keys(batch[0]!);
          const values = batch.map((_, r) => `(${columns.map((_c, k) => `$${r * columns.length + k + 1}`).join(', ')})`);
          await c.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, batch.flatMap((row) => columns.map((col) => row[col] ?? null)));
        }
      }
      // Rows came with their ids: the identity columns continue after them.
      for (const table of ['experiments', 'trials', 'trial_runs']) {
        await c.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)`);
      }
      for (const f of files) await c.query('INSERT INTO artifacts (trial_id, kind, path, data) VALUES ($1, $2, $3, $4)', [f.trialId, f.kind, f.path, Buffer.from(f.data)]);
    });
  }

  async close(): Promise<void> {
    for (const open of this.open.values()) await rm(open.scratch, { recursive: true, force: true });
    this.open.clear();
    await this.pool.end();
  }
}
