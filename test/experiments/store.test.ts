import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import '../../src/register.js';
import { UserError } from '../../src/errors.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../../src/experiments/migrations.js';
import { processStartTime } from '../../src/experiments/liveness.js';
import { parseSpecText, planTrials, specHash } from '../../src/experiments/spec.js';
import { openStore } from '../../src/experiments/open_store.js';
import { PG_MIGRATIONS } from '../../src/experiments/pg_migrations.js';
import { ClaimLostError, ResultStore, type Claimant, type TrialFinal } from '../../src/experiments/store.js';
import type { Store } from '../../src/experiments/store_api.js';
import pg from 'pg';
import { freePort, startPostgres, type PgServer } from '../helpers/postgres.js';
import type { GradientFlowRecord } from '../../src/inspect/types.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/env.js';

const run = promisify(execFile);

function spec(seeds: number) {
  return parseSpecText(`name: store-test\ndatasets: [iris]\nmodels: [mlp]\nactivations: [lisht, relu]\nseeds: ${seeds}\nepochs: 2\nbatchSize: 8\n`);
}

function claimant(pid = process.pid, host = hostname()): Claimant {
  return { pid, host, pidStart: pid === process.pid ? processStartTime(pid) : null, backend: 'cpu', lishtVersion: 'test', gitCommit: null };
}

/** A store with one experiment of `seeds` x 2 trials. */
function fresh(dir: string, seeds = 2): { store: ResultStore; experimentId: number; path: string } {
  const path = join(dir, 'r.db');
  const store = ResultStore.open(path);
  const s = spec(seeds);
  const { experimentId } = store.registerExperiment(s, specHash(s), planTrials(s));
  return { store, experimentId, path };
}

const epoch = (n: number) => ({ epoch: n, loss: 1 / n, accuracy: 0.5, val_loss: 1 / n, val_accuracy: 0.4 + n / 100, seconds: 0.1 });

/** A gradient-flow measurement after epoch `n` (0: before training). */
const flow = (n: number): GradientFlowRecord => ({
  epoch: n,
  loss: 2 - n / 10,
  probe_size: 100,
  epsilon: 1e-3,
  seconds: 0.01,
  layers: [{ layer: 'dense', class_name: 'Dense', grad_norm: 0.5 / (n + 1), weight_norm: 3 + n, activation: null }],
});

function final(classes: number): TrialFinal {
  return {
    params: 10,
    trainCount: 120,
    testCount: 30,
    dataSource: 'test',
    dataPath: '/data/test',
    testLoss: 0.3,
    testAccuracy: 0.9,
    classes: Array.from({ length: classes }, (_, i) => ({ name: `class ${i}`, support: classes, correct: 1 })),
    confusion: Array.from({ length: classes }, () => new Array<number>(classes).fill(1)),
    samples: [{ exampleIndex: 3, trueClass: 0, predictedClass: 1 }],
  };
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

test('a new store is migrated, marked as lisht, in WAL mode; registering twice adds nothing', () => {
  const dir = tempDir('lisht-store-');
  try {
    const { store, path } = fresh(dir.path);
    const db = store.database;
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    const s = spec(2);
    assert.deepEqual(store.registerExperiment(s, specHash(s), planTrials(s)), { experimentId: 1, added: 0 });
    // A longer grid adds only the new seeds' trials to the same experiment.
    const more = spec(3);
    assert.deepEqual(store.registerExperiment(more, specHash(more), planTrials(more)), { experimentId: 1, added: 2 });
    assert.equal(store.trials(1).length, 6);
    assert.equal((db.prepare('SELECT count(*) AS n FROM spec_versions').get() as { n: number }).n, 2);
    store.close();
    // Reopening read-only works; the schema is not touched.
    const ro = ResultStore.open(path, { readonly: true });
    assert.equal(ro.experiments()[0]!.name, 'store-test');
    ro.close();
  } finally {
    dir.remove();
  }
});

test('an older store is upgraded in place by the migrations, its rows kept; reading it asks for the upgrade', () => {
  const dir = tempDir('lisht-store-migrate-');
  try {
    const path = join(dir.path, 'v1.db');
    const v1 = new Database(path);
    v1.exec(MIGRATIONS[0]!.sql);
    v1.pragma('user_version = 1');
    v1.pragma(`application_id = ${APPLICATION_ID}`);
    v1.prepare("INSERT INTO experiments (name, spec_json, spec_hash, created_at, updated_at) VALUES ('old', '{}', 'h', 't', 't')").run();
    v1.prepare("INSERT INTO trials (experiment_id, trial_key, config_json, dataset, model, activation, seed, epochs, status, test_accuracy, created_at) VALUES (1, 'k', '{}', 'iris', 'mlp', 'relu', 1, 2, 'done', 0.9, 't')").run();
    v1.close();
    assert.throws(() => ResultStore.open(path, { readonly: true }), /has schema version 1; run `lisht run` on it once to upgrade it to/);
    const store = ResultStore.open(path);
    assert.equal(store.database.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const [trial] = store.trials(1);
    assert.equal(trial!.testAccuracy, 0.9);
    assert.equal(trial!.dataPath, null, 'the new column, empty for old rows');
    assert.deepEqual(store.gradientFlow([trial!.id]).get(trial!.id), [], 'the new table, empty for old trials');
    store.close();
  } finally {
    dir.remove();
  }
});

test('newer, foreign, non-SQLite and empty databases are refused with a clear message', () => {
  const dir = tempDir('lisht-store-bad-');
  try {
    const newer = join(dir.path, 'newer.db');
    ResultStore.open(newer).close();
    const raw = new Database(newer);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    for (const readonly of [false, true]) {
      assert.throws(() => ResultStore.open(newer, { readonly }), (e: unknown) => e instanceof UserError && new RegExp(`written by a newer lisht \\(schema version ${SCHEMA_VERSION + 1}`).test(e.message));
    }
    const foreign = join(dir.path, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE photos (id INTEGER)');
    f.close();
    assert.throws(() => ResultStore.open(foreign), /not a lisht results store/);
    assert.deepEqual(new Database(foreign).prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'photos' }], 'left untouched');
    const text = join(dir.path, 'notes.txt');
    writeFileSync(text, 'x'.repeat(4096));
    assert.throws(() => ResultStore.open(text), (e: unknown) => e instanceof UserError && /is not a SQLite database/.test(e.message));
    assert.throws(() => ResultStore.open(join(dir.path, 'missing.db'), { readonly: true }), (e: unknown) => e instanceof UserError && /cannot open database/.test(e.message));
    const empty = join(dir.path, 'empty.db');
    new Database(empty).close();
    assert.throws(() => ResultStore.open(empty, { readonly: true }), /holds no results yet/);
  } finally {
    dir.remove();
  }
});

test('a full disk: the write fails with a clear error and the database stays as before it', () => {
  const dir = tempDir('lisht-store-full-');
  try {
    const { store, experimentId, path } = fresh(dir.path);
    const t = store.claimTrial(experimentId, claimant(), 60_000)!;
    store.recordEpoch(t, epoch(1), 60_000);
    // SQLite's page limit makes the file unable to grow, as a full disk does.
    const pages = store.database.pragma('page_count', { simple: true }) as number;
    store.database.pragma(`max_page_count = ${pages}`);
    // 100 classes: 10,000 confusion cells, far more than the pages left.
    assert.throws(() => store.finishTrial(t, final(100), 60_000), (e: unknown) => e instanceof UserError && /disk is full.*rolled back/.test(e.message));
    const row = store.trials(experimentId).find((r) => r.id === t.trialId)!;
    assert.equal(row.status, 'running', 'not marked done');
    assert.equal(store.classMetrics([t.trialId]).get(t.trialId)!.length, 0, 'no partial per-class rows');
    assert.equal(store.epochs([t.trialId]).get(t.trialId)!.length, 1);
    store.database.pragma('max_page_count = 1073741823');
    store.finishTrial(t, final(100), 60_000);
    store.close();
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal((check.prepare('SELECT count(*) AS n FROM confusion').get() as { n: number }).n, 10_000);
    check.close();
  } finally {
    dir.remove();
  }
});

test('a database locked by another process: a clear error after the busy timeout, nothing half-written', () => {
  const dir = tempDir('lisht-store-locked-');
  try {
    const { store, experimentId, path } = fresh(dir.path);
    store.close();
    const holder = new Database(path);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const waiting = ResultStore.open(path, { busyTimeoutMs: 100 });
      assert.throws(() => waiting.claimTrial(experimentId, claimant(), 60_000), (e: unknown) => e instanceof UserError && /database .* is locked by another process/.test(e.message) && e.exitCode === 75);
      waiting.close();
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const after = ResultStore.open(path);
    assert.deepEqual(after.progress(experimentId), { pending: 4, running: 0, done: 0, failed: 0 });
    after.close();
  } finally {
    dir.remove();
  }
});

test('SQLite: a claim whose process is dead on this machine is free; another machine is judged by its lease', () => {
  const dir = tempDir('lisht-store-dead-');
  try {
    const { store, experimentId } = fresh(dir.path);
    const me = claimant();
    store.claimTrial(experimentId, me, 60_000)!;
    store.claimTrial(experimentId, me, 60_000)!;
    const dead = { ...claimant(deadPid()), pidStart: null };
    const c = store.claimTrial(experimentId, dead, 60_000)!;
    assert.equal(store.claimTrial(experimentId, me, 60_000)?.trialId, c.trialId, 'the dead process loses its claim');
    const remote = { ...claimant(deadPid(), 'elsewhere'), pidStart: null };
    const d = store.claimTrial(experimentId, remote, 60_000)!;
    assert.equal(store.claimTrial(experimentId, me, 60_000), undefined, "another machine's pid is not checked here: its lease holds");
    assert.deepEqual(store.runs([c.trialId]).get(c.trialId)!.map((r) => r.outcome), ['lost', null]);
    assert.ok(d.trialId > 0);
    store.close();
  } finally {
    dir.remove();
  }
});

/** How a store of each kind is made for the shared tests. */
interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** A new, empty store's --db value. */
  fresh(label: string): Promise<string>;
}

const sqliteKind = (): StoreKind & { done(): void } => {
  const dir = tempDir('lisht-stores-');
  return { name: 'sqlite', fresh: async (label) => join(dir.path, `${label}.db`), done: () => dir.remove() };
};

let server: PgServer | undefined;
const postgresKind: StoreKind = { name: 'postgres', fresh: (label) => server!.createDatabase(label.replace(/[^a-z0-9]/g, '_')) };

async function freshStore(kind: StoreKind, label: string, seeds = 2): Promise<{ store: Store; experimentId: number; db: string }> {
  const db = await kind.fresh(label);
  const store = await openStore(db);
  const s = spec(seeds);
  const { experimentId } = await store.registerExperiment(s, specHash(s), planTrials(s));
  return { store, experimentId, db };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [name, make] of [['sqlite', sqliteKind], ['postgres', () => postgresKind]] as const) {
  describe(`the results store on ${name}`, () => {
    let kind: StoreKind & { done?(): void };
    before(async () => {
      kind = make();
      if (name === 'postgres') server = await startPostgres();
    });
    after(async () => {
      kind.done?.();
      if (name === 'postgres') await server?.remove();
    });

    test('registering is idempotent; a longer grid adds only its new trials; read-only opening works', async () => {
      const { store, experimentId, db } = await freshStore(kind, 'register');
      const s = spec(2);
      assert.deepEqual(await store.registerExperiment(s, specHash(s), planTrials(s)), { experimentId, added: 0 });
      const more = spec(3);
      assert.deepEqual(await store.registerExperiment(more, specHash(more), planTrials(more)), { experimentId, added: 2 });
      const trials = await store.trials(experimentId);
      assert.equal(trials.length, 6);
      assert.deepEqual(trials.slice(0, 4).map((t) => t.key), planTrials(s).map((t) => t.key), 'ids follow the grid');
      await store.close();
      const ro = await openStore(db, { readonly: true });
      assert.equal((await ro.experiments())[0]!.name, 'store-test');
      assert.deepEqual(await ro.progress(experimentId), { pending: 6, running: 0, done: 0, failed: 0 });
      await ro.close();
    });

    test('claims: each trial once; an expired lease is taken over, and the loser cannot write', async () => {
      const { store, experimentId } = await freshStore(kind, 'claims');
      const me = claimant();
      const a = (await store.claimTrial(experimentId, me, 60_000))!;
      const b = (await store.claimTrial(experimentId, me, 60_000))!;
      assert.notEqual(a.trialId, b.trialId);
      await store.recordEpoch(a, epoch(1), 60_000);
      const c = (await store.claimTrial(experimentId, me, 60_000))!;
      const d = (await store.claimTrial(experimentId, me, 60_000))!;
      assert.equal(await store.claimTrial(experimentId, me, 60_000), undefined, 'every trial is held');
      // Another machine's claim is judged by its lease only.
      const remote = { ...claimant(1, 'elsewhere'), pidStart: null };
      await store.releaseTrial(d, 'stopped');
      const e = (await store.claimTrial(experimentId, remote, 1))!;
      assert.equal(e.trialId, d.trialId);
      await sleep(20); // let the 1 ms lease run out
      const f = (await store.claimTrial(experimentId, me, 60_000))!;
      assert.equal(f.trialId, e.trialId, 'expired lease taken over');
      assert.equal(f.attempts, 3);
      assert.equal(await store.heartbeat(e, 60_000), false);
      await assert.rejects(store.recordEpoch(e, epoch(1), 60_000), ClaimLostError);
      await assert.rejects(store.finishTrial(e, final(2), 60_000), ClaimLostError);
      await assert.rejects(store.failTrial(e, 'nope', 60_000), ClaimLostError);
      await store.releaseTrial(e, 'stopped'); // a no-op for a lost claim
      assert.equal((await store.trials(experimentId)).find((t) => t.id === f.trialId)!.status, 'running');
      assert.deepEqual((await store.runs([f.trialId])).get(f.trialId)!.map((r) => r.outcome), ['stopped', 'lost', null]);
      assert.equal(await store.heartbeat(c, 60_000), true);
      assert.deepEqual(await store.progress(experimentId), { pending: 0, running: 4, done: 0, failed: 0 });
      // Only the current grid's trials when keys are given.
      await store.releaseTrial(c, 'stopped');
      assert.equal(await store.claimTrial(experimentId, me, 60_000, new Set(['no-such-key'])), undefined);
      await store.close();
    });

    test('resuming makes the stored epochs equal to the checkpoint history; finishing records everything at once', async () => {
      const { store, experimentId } = await freshStore(kind, 'epochs');
      const t = (await store.claimTrial(experimentId, claimant(), 60_000))!;
      await store.recordEpoch(t, epoch(1), 60_000, [flow(0), flow(1)]);
      for (const n of [2, 3]) await store.recordEpoch(t, epoch(n), 60_000, [flow(n)]);
      await store.syncEpochs(t, [epoch(1), epoch(2)], 60_000, [flow(0), flow(1), flow(2)]);
      assert.deepEqual([...(await store.epochs([t.trialId])).get(t.trialId)!].map((e) => e.epoch), [1, 2]);
      assert.deepEqual((await store.gradientFlow([t.trialId])).get(t.trialId), [flow(0), flow(1), flow(2)]);
      assert.equal((await store.trials(experimentId))[0]!.epochsDone, 2);
      await store.recordEpoch(t, { ...epoch(3), val_loss: NaN }, 60_000, [flow(3)]);
      assert.deepEqual((await store.gradientFlow([t.trialId])).get(t.trialId), [0, 1, 2, 3].map(flow), 'in epoch order, each once');
      await store.finishTrial(t, final(3), 60_000);
      const row = (await store.trials(experimentId)).find((r) => r.id === t.trialId)!;
      assert.equal(row.status, 'done');
      assert.equal(row.epochsDone, 3);
      assert.equal(row.bestEpoch, 3);
      assert.equal(row.testAccuracy, 0.9);
      assert.equal(row.dataPath, '/data/test');
      assert.ok(Math.abs(row.trainSeconds! - 0.3) < 1e-12);
      assert.ok(row.wallSeconds! >= 0);
      assert.ok(Number.isNaN((await store.epochs([t.trialId])).get(t.trialId)![2]!.val_loss), 'NaN survives as NULL -> NaN');
      assert.deepEqual((await store.confusion([t.trialId])).get(t.trialId), [[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
      assert.equal((await store.classMetrics([t.trialId])).get(t.trialId)![0]!.accuracy, 1 / 3);
      assert.deepEqual((await store.samples([t.trialId])).get(t.trialId), [{ position: 0, exampleIndex: 3, trueClass: 0, predictedClass: 1 }]);
      assert.deepEqual((await store.runs([t.trialId])).get(t.trialId)!.map((r) => [r.outcome, r.startEpoch, r.endEpoch]), [['done', 0, 3]]);
      // A failed trial: recorded, never claimed again.
      const u = (await store.claimTrial(experimentId, claimant(), 60_000))!;
      assert.notEqual(u.trialId, t.trialId, 'a finished trial is never claimed again');
      await store.failTrial(u, 'loss became NaN', 60_000);
      const failed = (await store.trials(experimentId)).find((r) => r.id === u.trialId)!;
      assert.deepEqual([failed.status, failed.error], ['failed', 'loss became NaN']);
      assert.deepEqual(await store.progress(experimentId), { pending: 2, running: 0, done: 1, failed: 1 });
      assert.deepEqual((await store.epochs([999])).get(999), [], 'an unknown trial has no epochs');
      await store.close();
    });

    test('processes claiming at the same time never take the same trial', async () => {
      const { store, experimentId, db } = await freshStore(kind, 'race', 30);
      await store.close();
      const claimer = join(REPO_ROOT, 'dist/test/experiments/helpers/claimer.js');
      const startAt = String(Date.now() + 1500);
      const outputs = await Promise.all([1, 2, 3, 4].map(() => run(process.execPath, [claimer, db, String(experimentId), startAt])));
      const got = outputs.map((o) => JSON.parse(o.stdout) as number[]);
      const all = got.flat().sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: 60 }, (_, i) => i + 1), 'every trial exactly once');
      assert.ok(got.filter((g) => g.length > 0).length >= 2, `the work was shared: ${got.map((g) => g.length).join(', ')}`);
      const check = await openStore(db, { readonly: true });
      assert.deepEqual(await check.progress(experimentId), { pending: 0, running: 0, done: 60, failed: 0 });
      const runs = await check.runs(Array.from({ length: 60 }, (_, i) => i + 1));
      for (const [id, r] of runs) assert.deepEqual(r.map((x) => x.outcome), ['done'], `trial ${id}`);
      await check.close();
    });
  });
}

describe('PostgreSQL: what goes wrong is said in one line naming the server', () => {
  let pgServer: PgServer;
  before(async () => {
    pgServer = await startPostgres();
  });
  after(async () => {
    await pgServer?.remove();
  });

  test('a refused connection, a wrong password, a missing database: UNAVAILABLE, naming host:port', async () => {
    const where = `127.0.0.1:${pgServer.port}`;
    const unavailable = (pattern: RegExp) => (e: unknown) => e instanceof UserError && e.exitCode === 69 && pattern.test(e.message) && !e.message.includes('\n');
    const wrong = pgServer.url().replace(/:[^:@/]+@/, ':wrong@');
    await assert.rejects(openStore(wrong), unavailable(new RegExp(`PostgreSQL at ${where} refused the login: password authentication failed for user "lisht"`)));
    await assert.rejects(openStore(pgServer.url('nope')), unavailable(new RegExp(`PostgreSQL at ${where}: database "nope" does not exist`)));
    const closed = await freePort();
    await assert.rejects(openStore(`postgres://lisht@127.0.0.1:${closed}/x`), unavailable(new RegExp(`cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${closed}: connection refused`)));
    // Through the CLI: one line on stderr, exit code 69, no stack trace.
    const r = await runCli(['results', '--db', wrong]);
    assert.equal(r.code, 69);
    assert.match(r.stderr, new RegExp(`^lisht: error: PostgreSQL at ${where} refused the login: [^\\n]+\\n$`));
  });

  test('the same numbered migrations as SQLite; an older schema is upgraded in place, its rows kept', async () => {
    assert.deepEqual(PG_MIGRATIONS.map((m) => [m.version, m.description]), MIGRATIONS.map((m) => [m.version, m.description]));
    const url = await pgServer.createDatabase('v1');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(PG_MIGRATIONS[0]!.sql);
    await c.query(`CREATE TABLE lisht_meta (key text PRIMARY KEY, value text NOT NULL); INSERT INTO lisht_meta VALUES ('application', 'lisht-results'), ('schema_version', '1')`);
    await c.query(`INSERT INTO experiments (name, spec_json, spec_hash, created_at, updated_at) VALUES ('old', '{}', 'h', 't', 't')`);
    await c.query(`INSERT INTO trials (experiment_id, trial_key, config_json, dataset, model, activation, seed, epochs, status, test_accuracy, created_at) VALUES (1, 'k', '{}', 'iris', 'mlp', 'relu', 1, 2, 'done', 0.9, 't')`);
    await assert.rejects(openStore(url, { readonly: true }), /has schema version 1; run `lisht run` on it once to upgrade it to/);
    const store = await openStore(url);
    const [trial] = await store.trials(1);
    assert.equal(trial!.testAccuracy, 0.9);
    assert.equal(trial!.dataPath, null, 'the new column, empty for old rows');
    assert.deepEqual((await store.gradientFlow([trial!.id])).get(trial!.id), [], 'the new table, empty for old trials');
    await store.close();
    assert.equal((await c.query(`SELECT value FROM lisht_meta WHERE key = 'schema_version'`)).rows[0].value, String(SCHEMA_VERSION));
    await c.end();
  });

  test('a newer schema, a foreign database and an empty one are refused; nothing is changed', async () => {
    const newer = await pgServer.createDatabase('newer');
    await (await openStore(newer)).close();
    const client = new pg.Client({ connectionString: newer });
    await client.connect();
    await client.query(`UPDATE lisht_meta SET value = $1 WHERE key = 'schema_version'`, [String(SCHEMA_VERSION + 1)]);
    await client.end();
    for (const readonly of [false, true]) {
      await assert.rejects(
        openStore(newer, { readonly }),
        (e: unknown) => e instanceof UserError && new RegExp(`database newer on PostgreSQL at 127\\.0\\.0\\.1:${pgServer.port} was written by a newer lisht \\(schema version ${SCHEMA_VERSION + 1}`).test(e.message),
      );
    }
    const foreign = await pgServer.createDatabase('foreign');
    const f = new pg.Client({ connectionString: foreign });
    await f.connect();
    await f.query('CREATE TABLE trials (id integer)');
    await assert.rejects(openStore(foreign), /has tables named trials but is not a lisht results store/);
    assert.deepEqual((await f.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows, [{ tablename: 'trials' }], 'left untouched');
    await f.end();
    const empty = await pgServer.createDatabase('empty');
    await assert.rejects(openStore(empty, { readonly: true }), /holds no results yet/);
    // A store migrates once, however many open it at once.
    const many = await pgServer.createDatabase('many');
    const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(many)));
    for (const s of stores) await s.close();
    const check = await openStore(many, { readonly: true });
    assert.deepEqual(await check.experiments(), []);
    await check.close();
  });
});
