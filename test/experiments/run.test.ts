import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import '../../src/register.js';
import { UserError } from '../../src/errors.js';
import { SCHEMA_VERSION } from '../../src/experiments/migrations.js';
import type { GradientFlowRecord } from '../../src/inspect/types.js';
import { runExperiment, type RunOptions } from '../../src/experiments/runner.js';
import { tempDir } from '../helpers/env.js';
import { epochMetrics, finalResults, irisPath, irisSpec, query, REAL_IRIS, runCliGroup, skipNoIris, writeSpec } from './helpers/experiments.js';

/** Gradient-flow measurements per trial and epoch, without their timings. */
function flowMetrics(db: string): unknown[] {
  return query<{ activation: string; seed: number; record_json: string }>(
    db,
    'SELECT t.activation, t.seed, g.record_json FROM gradient_flow g JOIN trials t ON t.id = g.trial_id ORDER BY t.activation, t.seed, g.epoch',
  ).map(({ activation, seed, record_json }) => {
    const { seconds: _seconds, ...record } = JSON.parse(record_json) as GradientFlowRecord;
    return { activation, seed, ...record };
  });
}

const ResultRow = z
  .object({
    experiment: z.string(),
    dataset: z.string(),
    model: z.string(),
    activation: z.string(),
    n: z.number().int(),
    mean: z.number(),
    std: z.number(),
    ci95: z.tuple([z.number(), z.number()]),
    p_value: z.number().min(0).max(1).nullable(),
    p_value_paired: z.number().nullable(),
    epochs_to_target: z.number().nullable(),
    paper_accuracy: z.number().nullable(),
  })
  .passthrough();

test('Iris, MLP, 3 seeds x 2 activations: run end to end, every record stored, results as JSON; a rerun does nothing', { skip: skipNoIris }, async () => {
  const dir = tempDir('lisht-run-');
  try {
    const spec = irisSpec(dir.path);
    const db = join(dir.path, 'r.db');
    const r = await runCliGroup(['run', spec, '--db', db, '--workers', '2', '--data', `iris=${REAL_IRIS}`]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Experiment iris-test: 6 trials \(6 new\); 0 done, 0 failed, 6 to run in 2 workers/);
    assert.match(r.stdout, /\[w1\] backend wasm/);
    assert.match(r.stdout, /iris\/mlp\/lisht\/seed 3: done, test accuracy 0\.\d{4}/);
    assert.match(r.stdout, /iris-test: 6 of 6 trials finished \(0 failed\), 6 in this run/);

    const trials = query<{ id: number; status: string; backend: string; lisht_version: string; git_commit: string | null; params: number; train_count: number; test_count: number; test_accuracy: number; data_source: string; train_seconds: number }>(db, 'SELECT * FROM trials');
    assert.equal(trials.length, 6);
    for (const t of trials) {
      assert.equal(t.status, 'done');
      assert.equal(t.backend, 'wasm');
      assert.match(t.lisht_version, /^\d+\.\d+\.\d+/);
      if (existsSync(join(process.cwd(), '.git'))) assert.match(t.git_commit ?? '', /^[0-9a-f]{40}(-dirty)?$/);
      assert.equal(t.params, 4 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3);
      assert.deepEqual([t.train_count, t.test_count], [120, 30]);
      assert.ok(t.test_accuracy > 0.5, `test accuracy ${t.test_accuracy}`);
      assert.match(t.data_source, /iris-sklearn\.csv \(/);
      assert.ok(t.train_seconds > 0);
    }
    assert.deepEqual(query(db, 'SELECT trial_id, count(*) AS n FROM epochs GROUP BY trial_id HAVING n != 6'), []);
    // Gradient flow before training and after each of the 6 epochs, by default.
    assert.deepEqual(query(db, 'SELECT trial_id FROM gradient_flow GROUP BY trial_id HAVING count(*) != 7 OR min(epoch) != 0 OR max(epoch) != 6'), []);
    assert.equal(query(db, 'SELECT DISTINCT trial_id FROM gradient_flow').length, 6);
    for (const { record_json } of query<{ record_json: string }>(db, 'SELECT record_json FROM gradient_flow')) {
      const layers = (JSON.parse(record_json) as GradientFlowRecord).layers;
      assert.deepEqual(layers.map((l) => l.class_name), ['Dense', 'Dense', 'Dense']);
      assert.ok(layers.every((l) => l.grad_norm! > 0 && l.weight_norm! > 0));
    }
    assert.deepEqual(query(db, 'SELECT trial_id, count(*) AS n FROM class_metrics GROUP BY trial_id HAVING n != 3'), []);
    assert.deepEqual(query(db, 'SELECT trial_id, sum(count) AS n FROM confusion GROUP BY trial_id HAVING n != 30'), [], 'each confusion matrix counts the 30 test examples');
    assert.deepEqual(query(db, 'SELECT trial_id, count(*) AS n FROM samples GROUP BY trial_id HAVING n != 16'), []);
    // The confusion matrix diagonal is the stored test accuracy.
    const diag = query<{ trial_id: number; correct: number }>(db, 'SELECT trial_id, sum(count) AS correct FROM confusion WHERE true_class = predicted_class GROUP BY trial_id');
    for (const d of diag) assert.equal(d.correct / 30, trials.find((t) => t.id === d.trial_id)!.test_accuracy);
    assert.ok(!existsSync(`${db}.checkpoints`) || readdirSync(`${db}.checkpoints`).length === 0, 'finished trials leave no checkpoints');

    const json = await runCliGroup(['results', '--db', db, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const rows = z.array(ResultRow).parse(JSON.parse(json.stdout));
    assert.deepEqual(rows.map((x) => [x.dataset, x.model, x.activation, x.n]), [['iris', 'mlp', 'lisht', 3], ['iris', 'mlp', 'relu', 3]]);
    const relu = rows.find((x) => x.activation === 'relu')!;
    const lisht = rows.find((x) => x.activation === 'lisht')!;
    assert.equal(relu.p_value, null, 'the baseline has no p-value');
    assert.ok(lisht.p_value !== null || lisht.std === 0, 'lisht is tested against relu');
    assert.ok(lisht.ci95[0] <= lisht.mean && lisht.mean <= lisht.ci95[1]);
    assert.equal(lisht.paper_accuracy, 0.9733);
    const accuracies = trials.filter((_, i) => i % 2 === 0).map((t) => t.test_accuracy);
    assert.ok(Math.abs(lisht.mean - accuracies.reduce((a, b) => a + b, 0) / 3) < 1e-12, 'the mean is the mean of the stored trials');

    for (const format of ['table', 'markdown', 'csv']) {
      const out = await runCliGroup(['results', '--db', db, '--format', format]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /lisht/);
    }

    const again = await runCliGroup(['run', spec, '--db', db, '--workers', '2', '--data', `iris=${REAL_IRIS}`]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /6 trials \(0 new\); 6 done, 0 failed, 0 to run/);
    assert.equal(query(db, 'SELECT * FROM trials').length, 6);
    assert.equal(query(db, 'SELECT * FROM trial_runs').length, 6, 'no trial ran again');
  } finally {
    dir.remove();
  }
});

test('killed with SIGKILL in the middle of a trial, run again: one row per trial and exactly the uninterrupted results', async () => {
  const dir = tempDir('lisht-run-kill-');
  try {
    const data = irisPath(dir.path);
    const spec = irisSpec(dir.path, { epochs: 8 });
    const straight = join(dir.path, 'straight.db');
    const killed = join(dir.path, 'killed.db');
    const args = (db: string) => ['run', spec, '--db', db, '--workers', '2', '--data', `iris=${data}`];
    const a = await runCliGroup(args(straight));
    assert.equal(a.code, 0, a.stderr);

    // Kill the whole process group (parent and workers) as a power cut would, mid-trial.
    const k = await runCliGroup(args(killed), (out) => /seed 2: epoch 4\/8/.test(out));
    assert.equal(k.signal, 'SIGKILL');
    const interrupted = query<{ status: string; n: number }>(killed, 'SELECT status, count(*) AS n FROM trials GROUP BY status');
    assert.ok(interrupted.some((s) => s.status === 'running'), `some trials were in flight: ${JSON.stringify(interrupted)}`);
    assert.ok(existsSync(`${killed}.checkpoints`), 'checkpoints were written');

    const b = await runCliGroup(args(killed));
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.match(b.stdout, /resuming after epoch \d+/);
    assert.deepEqual(query(killed, 'SELECT activation, seed, count(*) AS n FROM trials GROUP BY activation, seed HAVING n != 1'), []);
    assert.equal(query(killed, 'SELECT * FROM trials').length, 6);
    assert.deepEqual(finalResults(killed), finalResults(straight));
    assert.deepEqual(epochMetrics(killed), epochMetrics(straight), 'every epoch identical to the uninterrupted run');
    assert.deepEqual(flowMetrics(killed), flowMetrics(straight), 'every gradient-flow measurement too, each once');
    const runs = query<{ outcome: string }>(killed, 'SELECT outcome FROM trial_runs');
    assert.ok(runs.some((r) => r.outcome === 'lost'), 'the killed runs are recorded as lost');
    assert.equal(runs.filter((r) => r.outcome === 'done').length, 6);
    assert.equal(new Database(killed, { readonly: true }).pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    dir.remove();
  }
});

test('Ctrl-C stops after the current step and gives the trials back; the next run finishes them', async () => {
  const dir = tempDir('lisht-run-int-');
  try {
    const data = irisPath(dir.path);
    const spec = irisSpec(dir.path, { epochs: 8 });
    const db = join(dir.path, 'r.db');
    const args = ['run', spec, '--db', db, '--workers', '2', '--data', `iris=${data}`];
    const r = await runCliGroup(args, (out) => /seed 1: epoch 3\/8/.test(out), { signal: 'SIGINT' });
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(r.stdout, /stopped; resumes from its last checkpoint/);
    assert.deepEqual(query(db, "SELECT id FROM trials WHERE status = 'running'"), [], 'no claim is left behind');
    assert.ok(query(db, "SELECT 1 FROM trial_runs WHERE outcome = 'stopped'").length >= 1);
    const again = await runCliGroup(args);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(query(db, "SELECT status, count(*) AS n FROM trials GROUP BY status"), [{ status: 'done', n: 6 }]);
  } finally {
    dir.remove();
  }
});

test('two lisht run processes on one database share the trials and never take the same one', async () => {
  const dir = tempDir('lisht-run-two-');
  try {
    const data = irisPath(dir.path);
    const spec = irisSpec(dir.path, { epochs: 16 });
    const db = join(dir.path, 'r.db');
    const args = ['run', spec, '--db', db, '--data', `iris=${data}`];
    let second: Promise<Awaited<ReturnType<typeof runCliGroup>>> | undefined;
    const first = runCliGroup(args, (out) => {
      // The second starts once the first is inside its first trial.
      if (second === undefined && /: start \(attempt 1\)/.test(out)) second = runCliGroup(args);
      return false;
    });
    const a = await first;
    const b = await second!;
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const runs = query<{ trial_id: number; pid: number; outcome: string }>(db, 'SELECT trial_id, pid, outcome FROM trial_runs');
    assert.equal(runs.length, 6, JSON.stringify(runs));
    assert.equal(new Set(runs.map((r) => r.trial_id)).size, 6, 'each trial ran once');
    assert.ok(runs.every((r) => r.outcome === 'done'));
    assert.ok(new Set(runs.map((r) => r.pid)).size >= 2, 'both processes worked');
  } finally {
    dir.remove();
  }
});

test('bad input: a clear error before anything runs, and the database left as it was', async () => {
  const dir = tempDir('lisht-run-bad-');
  try {
    const data = irisPath(dir.path);
    const good = irisSpec(dir.path);
    const db = join(dir.path, 'r.db');
    // Through the CLI: the message, the exit status, no stack trace.
    const cases: [string[], RegExp][] = [
      [['run', writeSpec(dir.path, 'a.yaml', 'name: a\ndatasets: [iris]\nmodels: [mlp]\nactivations: [lisht, relu7]\nseeds: 1\nepochs: 1\nbatchSize: 4\n')], /a\.yaml:4:22: activations\[1\]: unknown activation 'relu7'/],
      [['run', good, '--data', 'cifar10=x.tar.gz'], /the spec has no data set 'cifar10' \(it has iris\)/],
      [['run', good, '--workers', 'x'], /--workers.*expected an integer from 0/],
      [['results', '--db', join(dir.path, 'none.db')], /cannot open database .*none\.db/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCliGroup([...args, ...(args[0] === 'run' && !args.includes('--db') ? ['--db', db] : [])]);
      assert.notEqual(r.code, 0, `${args.join(' ')} should fail`);
      assert.match(r.stderr, pattern, args.join(' '));
      assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/, 'no stack trace');
    }
    // The library refuses the same way, before any worker starts.
    const library: [RunOptions, RegExp][] = [
      [{ spec: writeSpec(dir.path, 'b.yaml', 'name: b\ndatasets: [iris\n') }, /b\.yaml:\d+:\d+: /],
      [{ spec: join(dir.path, 'missing.yaml') }, /cannot read experiment spec .*missing\.yaml: no such file/],
      [{ spec: good, data: { iris: join(dir.path, 'nope.csv') } }, /data for iris not found: .*nope\.csv/],
      [{ spec: good, workers: 1.5 }, /workers must be a whole number/],
    ];
    for (const [options, pattern] of library) {
      await assert.rejects(runExperiment({ db, ...options }), (e: unknown) => e instanceof UserError && pattern.test(e.message), String(pattern));
    }
    assert.ok(!existsSync(db), 'nothing was created');

    // A database from a newer lisht is refused, and not modified.
    const ok = await runCliGroup(['run', good, '--db', db, '--data', `iris=${data}`]);
    assert.equal(ok.code, 0, ok.stderr);
    const raw = new Database(db);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = readFileSync(db);
    for (const args of [['run', good, '--db', db, '--data', `iris=${data}`], ['results', '--db', db], ['report', '--db', db, '--out', join(dir.path, 'rep')]]) {
      const r = await runCliGroup(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`written by a newer lisht \\(schema version ${SCHEMA_VERSION + 1}; this lisht knows up to ${SCHEMA_VERSION}\\)`));
    }
    assert.deepEqual(readFileSync(db), before);
  } finally {
    dir.remove();
  }
});

test('a read-only database: run refuses clearly, results still read it', { skip: process.getuid?.() === 0 ? false : 'needs root to run the CLI as another user' }, async () => {
  const dir = tempDir('lisht-run-ro-');
  try {
    const data = irisPath(dir.path);
    const spec = irisSpec(dir.path);
    const db = join(dir.path, 'r.db');
    const ok = await runCliGroup(['run', spec, '--db', db, '--data', `iris=${data}`]);
    assert.equal(ok.code, 0, ok.stderr);
    // Readable by everyone, writable by root only; run as nobody (root ignores permissions).
    chmodSync(dir.path, 0o755);
    chmodSync(db, 0o644);
    const more = irisSpec(dir.path, { name: 'iris-more' });
    chmodSync(more, 0o644);
    const before = readFileSync(db);
    const nobody = { uid: 65534, gid: 65534 };
    const r = await runCliGroup(['run', more, '--db', db, '--data', `iris=${data}`], undefined, nobody);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /lisht: error: (database .*r\.db is read-only|cannot open database .*r\.db)/);
    assert.deepEqual(readFileSync(db), before, 'not modified');
    const results = await runCliGroup(['results', '--db', db, '--format', 'csv'], undefined, nobody);
    assert.equal(results.code, 0, results.stderr);
    assert.match(results.stdout, /iris-test,iris,mlp,lisht,3/);
  } finally {
    dir.remove();
  }
});
