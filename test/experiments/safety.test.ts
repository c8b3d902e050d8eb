/**
 * Nothing overwritten, nothing misrecorded (issue 13): an existing run folder is not replaced,
 * a resume with other settings is refused, a broken summary is a clear error, an early failure
 * leaves no folder, counts are per process, and SIGTERM stops like Ctrl-C. One test per item.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/register.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { EXIT } from '../../src/exit_codes.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/env.js';
import { cifarFixture, CLI, irisPath, irisSpec, query } from './helpers/experiments.js';

const tiny = (data: string) => ['--data', data, '--activations', 'relu', '--batch-size', '10', '--seed', '7', '--backend', 'wasm'];
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));

test('issue 13 item 1: --out on an existing run or a non-empty folder is refused; --force replaces the run', async () => {
  const dir = tempDir('lisht-safety-out-');
  try {
    const data = cifarFixture(dir.path);
    const out = join(dir.path, 'X');
    const first = await runCli(['compare', ...tiny(data), '--epochs', '2', '--out', out]);
    assert.equal(first.code, 0, first.stderr);
    const before = readFileSync(join(out, 'summary.json'), 'utf8');

    const again = await runCli(['compare', ...tiny(data), '--epochs', '1', '--out', out]);
    assert.equal(again.code, EXIT.CANT_CREATE, again.stderr);
    assert.match(again.stderr, /--out .*X is not empty and holds a comparison \(continue it with --resume .*X\); choose a new folder, or pass --force/);
    assert.equal(readFileSync(join(out, 'summary.json'), 'utf8'), before, 'the first run is untouched');

    const other = join(dir.path, 'notes');
    mkdirSync(other);
    writeFileSync(join(other, 'mine.txt'), 'keep me');
    const into = await runCli(['compare', ...tiny(data), '--epochs', '1', '--out', other]);
    assert.equal(into.code, EXIT.CANT_CREATE);
    assert.match(into.stderr, /--out .*notes is not empty; choose a new folder/);
    assert.deepEqual(execFileSync('ls', [other]).toString().trim(), 'mine.txt');

    const forced = await runCli(['compare', ...tiny(data), '--epochs', '1', '--out', out, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(summaryOf(out).results[0].epochs.length, 1, 'the run was replaced');
    const forcedOther = await runCli(['compare', ...tiny(data), '--epochs', '1', '--out', other, '--force']);
    assert.equal(forcedOther.code, 0, forcedOther.stderr);
    assert.equal(readFileSync(join(other, 'mine.txt'), 'utf8'), 'keep me', '--force keeps files that are not the run');
  } finally {
    dir.remove();
  }
});

test('issue 13 item 2: --resume refuses conflicting flags, listing each, and never records a backend that did not train', async () => {
  const dir = tempDir('lisht-safety-resume-');
  try {
    const data = cifarFixture(dir.path);
    const out = join(dir.path, 'X');
    assert.equal((await runCli(['compare', ...tiny(data), '--epochs', '2', '--out', out])).code, 0);
    const before = readFileSync(join(out, 'summary.json'), 'utf8');
    const r = await runCli(['compare', '--resume', out, '--epochs', '3', '--seed', '9']);
    assert.equal(r.code, EXIT.USAGE, r.stderr);
    assert.match(r.stderr, /cannot resume .*X with other settings than it was started with: --epochs 3 \(the run has 2\); --seed 9 \(the run has 7\)/);
    assert.equal(readFileSync(join(out, 'summary.json'), 'utf8'), before);

    // Every activation is done: nothing trains on cpu, so cpu is not recorded.
    const same = await runCli(['compare', '--resume', out, '--epochs', '2', '--backend', 'cpu']);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(summaryOf(out).backend, 'wasm');
  } finally {
    dir.remove();
  }
});

test('issue 13 item 4: resuming from a folder whose summary.json is not a comparison is a clear error, not an internal one', async () => {
  const dir = tempDir('lisht-safety-summary-');
  try {
    const e = join(dir.path, 'e');
    mkdirSync(e);
    writeFileSync(join(e, 'summary.json'), '{}');
    const r = await runCli(['compare', '--resume', e]);
    assert.equal(r.code, EXIT.DATA, r.stderr);
    assert.match(r.stderr, /lisht: error: cannot resume from .*e: .*summary\.json is not the summary of a comparison/);
    assert.doesNotMatch(r.stderr, /internal error|TypeError/);
  } finally {
    dir.remove();
  }
});

test('issue 13 item 5: an early failure (a bad archive, an unknown backend) leaves no --out folder behind', async () => {
  const dir = tempDir('lisht-safety-early-');
  try {
    const bad = join(dir.path, 'bad.tar.gz');
    writeFileSync(bad, 'not an archive');
    const out1 = join(dir.path, 'out1');
    const r1 = await runCli(['compare', '--data', bad, '--activations', 'relu', '--epochs', '1', '--backend', 'wasm', '--out', out1]);
    assert.equal(r1.code, EXIT.DATA, r1.stderr);
    assert.equal(existsSync(out1), false, 'no folder after a bad archive');
    const out2 = join(dir.path, 'out2');
    const r2 = await runCli(['compare', ...tiny(cifarFixture(dir.path)), '--epochs', '1', '--backend', 'foo', '--out', out2]);
    assert.equal(r2.code, EXIT.USAGE, r2.stderr);
    assert.match(r2.stderr, /unknown backend 'foo'/);
    assert.equal(existsSync(out2), false, 'no folder after an unknown backend');
  } finally {
    dir.remove();
  }
});

test('issue 13 item 6: two lisht run on one database each count only the trials they finished', async () => {
  const dir = tempDir('lisht-safety-counts-');
  try {
    const spec = irisSpec(dir.path, { epochs: 3 });
    const db = join(dir.path, 'r.db');
    const args = ['run', spec, '--db', db, '--data', `iris=${irisPath(dir.path)}`];
    const runs = await Promise.all([runCli(args), runCli(args)]);
    const counts = runs.map((r) => {
      assert.equal(r.code, 0, r.stderr);
      return Number(/(\d+) in this run/.exec(r.stdout)?.[1]);
    });
    const trials = query<{ n: number }>(db, `SELECT count(*) AS n FROM trials WHERE status = 'done'`)[0]!.n;
    assert.equal(trials, 6);
    assert.equal(counts[0]! + counts[1]!, trials, `counts ${counts.join(' + ')} must add up to the ${trials} trials finished`);
  } finally {
    dir.remove();
  }
});

test('issue 13 item 8: SIGTERM stops compare after the step like Ctrl-C, exit 130, nothing left running', async () => {
  const dir = tempDir('lisht-safety-term-');
  try {
    const out = join(dir.path, 'X');
    const child = spawn(process.execPath, [CLI, 'compare', ...tiny(cifarFixture(dir.path)), '--epochs', '3', '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (/Epoch 1\/3/.test(stdout) && !child.killed) child.kill('SIGTERM');
      });
      child.on('close', resolve);
    });
    assert.equal(code, EXIT.INTERRUPTED, stdout + stderr);
    assert.match(stderr, /SIGTERM: stopping after this step/);
    assert.equal(summaryOf(out).status, 'interrupted');
    const rows = query<{ status: string }>(join(out, 'results.db'), 'SELECT status FROM trials');
    assert.deepEqual(rows.map((r) => r.status), ['pending'], 'the trial was given back, not left running');
    const resumed = await runCli(['compare', '--resume', out]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(summaryOf(out).status, 'done');
  } finally {
    dir.remove();
  }
});

test('issue 13 item 8: a worker killed during lisht run is replaced and the run finishes every trial', async () => {
  const dir = tempDir('lisht-safety-worker-');
  try {
    const spec = irisSpec(dir.path, { epochs: 4 });
    const db = join(dir.path, 'r.db');
    let killed = false;
    const summary = await runExperiment({
      spec,
      db,
      workers: 1,
      data: { iris: irisPath(dir.path) },
      onEvent: (e) => {
        if (killed || e.type !== 'worker' || e.event.type !== 'epoch' || e.event.record.epoch !== 2) return;
        killed = true;
        // The worker is this process's forked child running worker_main.js.
        const pid = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'worker_main.js']).toString().trim().split('\n')[0]!;
        process.kill(Number(pid), 'SIGKILL');
      },
    });
    assert.ok(killed, 'a worker was killed');
    assert.equal(summary.pending, 0);
    assert.equal(summary.done, 6);
    const runs = query<{ outcome: string }>(db, `SELECT outcome FROM trial_runs WHERE outcome = 'error'`);
    assert.equal(runs.length, 1, 'the killed attempt is recorded');
  } finally {
    dir.remove();
  }
});
