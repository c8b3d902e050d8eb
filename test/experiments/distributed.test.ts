/**
 * Issue 16: the results store and the trial queue on PostgreSQL, with a real server started by
 * the tests' own helper. Copying between stores; and workers in PID namespaces of their own
 * (as on separate machines), two killed with -9 mid-trial and the server restarted mid-run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import '../../src/register.js';
import { UserError } from '../../src/errors.js';
import { openTarget } from '../../src/inspect/targets.js';
import { openStore } from '../../src/experiments/open_store.js';
import { computeResults } from '../../src/experiments/results.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { parseSpecText, planTrials, specHash } from '../../src/experiments/spec.js';
import { copyStore } from '../../src/experiments/store_copy.js';
import { TABLE_ORDER } from '../../src/experiments/store_tables.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/env.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { CLI, epochMetrics, irisPath, writeSpec } from './helpers/experiments.js';

let server: PgServer;
const dir = tempDir('lisht-distributed-');
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.remove();
  dir.remove();
});

/** Every row of every table, and every stored file, of a store. */
async function everything(db: string): Promise<{ tables: Record<string, unknown[]>; files: unknown[] }> {
  const store = await openStore(db, { readonly: true });
  try {
    const tables: Record<string, unknown[]> = {};
    for (const t of TABLE_ORDER) tables[t] = (await store.dumpTable(t)).map((r) => ({ ...r, lease_until: undefined }));
    const files = (await store.dumpArtifacts()).map((f) => ({ ...f, data: Buffer.from(f.data).toString('base64') }));
    return { tables, files };
  } finally {
    await store.close();
  }
}

async function results(db: string) {
  const store = await openStore(db, { readonly: true });
  try {
    return await computeResults(store);
  } finally {
    await store.close();
  }
}

describe('lisht db copy', () => {
  test('SQLite to PostgreSQL and back: results, rows, checkpoints and models identical; running claims arrive pending', async () => {
    const spec = writeSpec(
      dir.path,
      'copy.yaml',
      'name: copy-test\ndatasets: [iris]\nmodels: [{ name: mlp, hiddenUnits: [8] }]\nactivations: [lisht, relu]\nseeds: 1\nepochs: 3\nbatchSize: 16\nbackend: wasm\n',
    );
    const a = join(dir.path, 'a.db');
    const summary = await runExperiment({ spec, db: a, workers: 1, data: { iris: irisPath(dir.path) } });
    assert.equal(summary.done, 2);
    // A second experiment with a trial claimed in the source and one epoch recorded.
    const source = await openStore(a);
    const other = parseSpecText('name: running\ndatasets: [iris]\nmodels: [mlp]\nactivations: [lisht]\nseeds: 1\nepochs: 2\nbatchSize: 8\n');
    const { experimentId: runningId } = await source.registerExperiment(other, specHash(other), planTrials(other));
    const claim = (await source.claimTrial(runningId, { pid: process.pid, host: hostname(), pidStart: null, backend: 'cpu', lishtVersion: 'test', gitCommit: null }, 60_000))!;
    await source.recordEpoch(claim, { epoch: 1, loss: 1, accuracy: 0.5, val_loss: 1, val_accuracy: 0.5, seconds: 0.1 }, 60_000);
    await source.close();

    const url = await server.createDatabase('copy');
    assert.deepEqual(await copyStore(a, url), { experiments: 2, trials: 3, files: 8 });
    assert.deepEqual(await results(url), await results(a), 'lisht results: identical');
    const pgCopy = await openStore(url);
    const arrived = (await pgCopy.trials(runningId))[0]!;
    assert.deepEqual([arrived.status, arrived.epochsDone, arrived.claimPid], ['pending', 1, null], 'a running trial arrives pending, its epochs kept');
    assert.deepEqual((await pgCopy.runs([arrived.id])).get(arrived.id)!.map((r) => r.outcome), ['lost']);
    await pgCopy.close();
    // Inspect finds the models stored in PostgreSQL.
    const target = await openTarget({ db: url, out: join(dir.path, 'inspect'), experiment: 'copy-test' });
    try {
      assert.equal(target.models.length, 2);
      for (const m of target.models) {
        assert.ok(existsSync(join(m.dir, 'model.json')), `${m.activation}: trained model`);
        assert.ok(m.initialDir !== null && existsSync(join(m.initialDir, 'model.json')), `${m.activation}: initial model`);
      }
    } finally {
      await target.close();
    }

    // And back, through the CLI.
    const b = join(dir.path, 'b.db');
    const r = await runCli(['db', 'copy', server.url('copy'), b]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Copied 2 experiments, 3 trials and 8 stored files/);
    const [before, back] = [await everything(a), await everything(b)];
    const runningTrial = (rows: unknown[]) => rows.filter((t) => (t as { id: number }).id !== arrived.id);
    assert.deepEqual(runningTrial(back.tables.trials!), runningTrial(before.tables.trials!), 'finished trials: every column identical');
    for (const t of TABLE_ORDER.filter((t) => t !== 'trials' && t !== 'trial_runs')) assert.deepEqual(back.tables[t], before.tables[t], `table ${t}`);
    assert.deepEqual(back.files, before.files, 'checkpoint and model files identical');
    const json = (db: string) => runCli(['results', '--db', db, '--format', 'json']).then((x) => x.stdout);
    assert.equal(await json(b), await json(a));
    assert.equal(await json(url), await json(a));

    // Never over results: an existing file, a database with experiments.
    await assert.rejects(copyStore(a, b), (e: unknown) => e instanceof UserError && e.exitCode === 73 && /b\.db exists/.test(e.message));
    await assert.rejects(copyStore(a, url), (e: unknown) => e instanceof UserError && /already holds experiments/.test(e.message));
    assert.deepEqual(await results(url), await results(a), 'the target is as it was');
  });
});

/** A `lisht worker` in a PID namespace of its own: it sees no other worker's processes. */
interface Worker {
  child: ChildProcess;
  out: string;
  exit: Promise<number | null>;
}

function startWorker(args: string[]): Worker {
  // As root (CI) a plain PID namespace; otherwise inside a user namespace of its own.
  const user = process.getuid?.() === 0 ? [] : ['--map-root-user'];
  const child = spawn('unshare', [...user, '--pid', '--fork', '--mount-proc', process.execPath, CLI, 'worker', ...args], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const w: Worker = { child, out: '', exit: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
  child.stdout!.on('data', (c: Buffer) => (w.out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (w.out += c.toString()));
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Trials of a PostgreSQL store not ended yet. */
async function pendingOrRunning(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(`SELECT count(*)::int AS n FROM trials WHERE status IN ('pending', 'running')`)).rows[0].n as number;
  } finally {
    await client.end();
  }
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('workers on PostgreSQL', () => {
  test('4 workers in their own PID namespaces, 2 killed with -9 mid-trial, the server restarted: every trial once, results as on SQLite', async () => {
    const epochs = 40;
    const spec = writeSpec(
      dir.path,
      'fault.yaml',
      `name: fault-test\ndatasets: [iris]\nmodels: [{ name: mlp, hiddenUnits: [16, 8] }]\nactivations: [lisht, relu]\nseeds: 3\nepochs: ${epochs}\nbatchSize: 16\noptimizer: { name: adam, learningRate: 0.01 }\nbackend: wasm\n`,
    );
    const iris = irisPath(dir.path);
    const url = await server.createDatabase('fault');
    const registered = await runCli(['run', spec, '--db', url, '--workers', '0', '--data', `iris=${iris}`]);
    assert.equal(registered.code, 0, registered.stderr);
    assert.match(registered.stdout, /6 trials \(6 new\); 0 done, 0 failed, 6 to run by lisht workers; database postgres:\/\/lisht@127\.0\.0\.1:\d+\/fault/);

    const workers = [1, 2, 3, 4].map(() => startWorker(['--db', url, '--experiment', 'fault-test', '--data', `iris=${iris}`, '--lease', '3000']));
    // Killed after recording the third epoch of a trial (a line per recorded epoch).
    const midTrial = (w: Worker) => /epoch 3\/40/.test(w.out);
    await until('a worker in the middle of a trial', () => workers.some(midTrial));
    const first = workers.find(midTrial)!;
    process.kill(-first.child.pid!, 'SIGKILL');
    await until('another worker in the middle of a trial', () => workers.some((w) => w !== first && midTrial(w)));
    const second = workers.find((w) => w !== first && midTrial(w))!;
    process.kill(-second.child.pid!, 'SIGKILL');
    const killedAfter = [first, second].map((w) => [...w.out.matchAll(/(iris\/mlp\/\w+\/seed \d+): epoch (\d+)\/40/g)].map((m) => ({ label: m[1]!, epoch: Number(m[2]) })).at(-1)!);
    // The server goes away and comes back while the others train or wait.
    const open = await pendingOrRunning(url);
    await server.stop();
    await sleep(1000);
    await server.start();
    const restartedAt = new Date().toISOString();
    assert.ok(open > 0, 'trials were left when the server went away');
    const rest = workers.filter((w) => w !== first && w !== second);
    const codes = await Promise.all(rest.map((w) => w.exit));
    assert.deepEqual(codes, [0, 0], rest.map((w) => w.out.slice(-2000)).join('\n----\n'));
    await Promise.all([first.exit, second.exit]);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const trials = (await client.query<{ id: number; activation: string; seed: number; status: string; epochs_done: number; claim_token: string | null }>('SELECT * FROM trials ORDER BY id')).rows;
      assert.deepEqual(trials.map((t) => [t.status, t.epochs_done, t.claim_token]), trials.map(() => ['done', epochs, null]));
      const epochRows = (await client.query<{ trial_id: number; n: number }>('SELECT trial_id, count(*)::int AS n FROM epochs GROUP BY trial_id ORDER BY trial_id')).rows;
      assert.deepEqual(epochRows.map((r) => r.n), trials.map(() => epochs), 'every epoch recorded once');
      const runs = (await client.query<{ trial_id: number; outcome: string; start_epoch: number; pid: number }>('SELECT * FROM trial_runs ORDER BY id')).rows;
      for (const t of trials) assert.equal(runs.filter((r) => r.trial_id === t.id && r.outcome === 'done').length, 1, `trial ${t.id} finished exactly once`);
      assert.ok(runs.every((r) => r.pid === 1), 'each worker was pid 1 of its own namespace: pids say nothing about liveness');
      // Each killed trial was taken over and resumed from its last checkpoint: at most the epoch in flight was lost.
      for (const k of killedAfter) {
        const t = trials.find((x) => `iris/mlp/${x.activation}/seed ${x.seed}` === k.label)!;
        const mine = runs.filter((r) => r.trial_id === t.id);
        assert.ok(mine.some((r) => r.outcome === 'lost'), `${k.label}: the killed run is recorded as lost`);
        const resumed = mine.find((r) => r.outcome === 'done')!;
        assert.ok(resumed.start_epoch >= k.epoch, `${k.label}: resumed after epoch ${resumed.start_epoch}, killed after recording ${k.epoch}`);
      }
      const afterRestart = (await client.query('SELECT count(*)::int AS n FROM epochs WHERE recorded_at > $1', [restartedAt])).rows[0].n as number;
      assert.ok(afterRestart > 0, 'the workers went on after the restart');
      if (process.env.LISHT_TEST_DEBUG) console.log(workers.map((w) => w.out).join('\n=====\n'), runs);
      assert.equal((await client.query(`SELECT count(*)::int AS n FROM artifacts WHERE kind = 'checkpoint'`)).rows[0].n, 0, 'no checkpoint left once trials end');
      assert.equal((await client.query(`SELECT count(DISTINCT trial_id)::int AS n FROM artifacts WHERE kind = 'model'`)).rows[0].n, 6, 'every trial kept its model');
      const pgEpochs = (
        await client.query(
          `SELECT t.activation, t.seed, e.epoch, e.loss, e.accuracy, e.val_loss, e.val_accuracy FROM epochs e JOIN trials t ON t.id = e.trial_id ORDER BY t.activation, t.seed, e.epoch`,
        )
      ).rows;

      // The same spec on SQLite with one worker: the same numbers, epoch by epoch.
      const sqlite = join(dir.path, 'fault.db');
      const reference = await runCli(['run', spec, '--db', sqlite, '--workers', '1', '--data', `iris=${iris}`]);
      assert.equal(reference.code, 0, reference.stderr);
      assert.deepEqual(pgEpochs, epochMetrics(sqlite));
      const json = async (db: string) => {
        const r = await runCli(['results', '--db', db, '--format', 'json']);
        assert.equal(r.code, 0, r.stderr);
        // Seconds per epoch is a timing, different on every run.
        return (JSON.parse(r.stdout) as Record<string, unknown>[]).map(({ seconds_per_epoch: _s, ...row }) => row);
      };
      assert.deepEqual(await json(url), await json(sqlite));
    } finally {
      await client.end();
    }
  });
});

describe('lisht run on PostgreSQL', () => {
  test('registers the trials and runs them in its own workers; running it again adds and runs nothing; lisht report reads the store', async () => {
    const spec = writeSpec(dir.path, 'run.yaml', 'name: run-pg\ndatasets: [iris]\nmodels: [{ name: mlp, hiddenUnits: [8] }]\nactivations: [lisht, relu]\nseeds: 1\nepochs: 2\nbatchSize: 16\nbackend: wasm\n');
    const url = await server.createDatabase('run');
    const args = ['run', spec, '--db', url, '--workers', '2', '--data', `iris=${irisPath(dir.path)}`];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /run-pg: 2 of 2 trials finished \(0 failed\), 2 in this run/);
    const again = await runCli(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /2 trials \(0 new\); 2 done, 0 failed, 0 to run; database postgres:\/\/lisht@/);
    assert.doesNotMatch(again.stdout + again.stderr, /lisht-test-password/, 'the password is never printed');
    const out = join(dir.path, 'pg-report');
    const report = await runCli(['report', '--db', url, '--out', out]);
    assert.equal(report.code, 0, report.stderr);
    assert.ok(existsSync(join(out, 'report.html')) && existsSync(join(out, 'results.json')));
  });
});
