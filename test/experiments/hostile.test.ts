/**
 * Issue 25: the defects a hostile pass found, one test per item this file covers (1-4, 10,
 * 12, 13), each the attack of the issue scaled down: nothing lost, nothing hung, the
 * documented exit code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/exit_codes.js';
import { LOCK_FILE } from '../../src/experiments/folder_lock.js';
import { shellQuote } from '../../src/shell_quote.js';
import { listTree, runCli, tempDir } from '../helpers/env.js';
import { cifarFixture, CLI, irisPath, irisSpec } from './helpers/experiments.js';

const tiny = (data: string) => ['--data', data, '--activations', 'relu', '--batch-size', '10', '--backend', 'wasm'];
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));

/** Every file of a folder with its bytes, to compare a folder before and after. */
function snapshot(dir: string): Map<string, string> {
  return new Map(listTree(dir).filter((f) => !f.endsWith('/')).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
}

test('issue 25 item 1: compare --force keeps the old run until the new one has its data and backend', async () => {
  const dir = tempDir('lisht-hostile-force-');
  try {
    const data = cifarFixture(dir.path);
    const out = join(dir.path, 'R');
    const first = await runCli(['compare', ...tiny(data), '--epochs', '1', '--seed', '1', '--out', out]);
    assert.equal(first.code, 0, first.stderr);
    const before = snapshot(out);
    assert.ok(before.has('summary.json') && before.has('results.db') && before.has('report.html'));

    const garbage = join(dir.path, 'garbage.tar.gz');
    writeFileSync(garbage, 'not an archive at all');
    const truncated = join(dir.path, 'truncated.tar.gz');
    writeFileSync(truncated, readFileSync(data).subarray(0, 200));
    const attempts: [string, string[], number][] = [
      ['missing archive', ['--data', join(dir.path, 'missing.tar.gz')], EXIT.NO_INPUT],
      ['garbage archive', ['--data', garbage], EXIT.DATA],
      ['truncated archive', ['--data', truncated], EXIT.DATA],
      ['unavailable backend', ['--data', data, '--backend', 'tensorflow'], -1],
    ];
    for (const [what, args, code] of attempts) {
      const r = await runCli(['compare', ...tiny(data), ...args, '--epochs', '1', '--seed', '2', '--out', out, '--force']);
      if (code === -1) assert.notEqual(r.code, 0, `${what}: ${r.stderr}`);
      else assert.equal(r.code, code, `${what}: ${r.stderr}`);
      assert.deepEqual(snapshot(out), before, `${what}: the old run is untouched`);
    }

    const replaced = await runCli(['compare', ...tiny(data), '--epochs', '1', '--seed', '3', '--out', out, '--force']);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal(summaryOf(out).options.seed, 3);
    assert.deepEqual(
      listTree(out).filter((f) => f.startsWith('.')),
      [],
      'no lock, trash or temporary file is left',
    );
  } finally {
    dir.remove();
  }
});

test('issue 25 item 2: a second compare into a folder being written is refused with 75, naming the holder', async () => {
  const dir = tempDir('lisht-hostile-lock-');
  try {
    const data = cifarFixture(dir.path);
    const out = join(dir.path, 'F');
    const child = spawn(process.execPath, [CLI, 'compare', ...tiny(data), '--epochs', '40', '--seed', '7', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait until the first run is training (it has its store and lock).
    for (let i = 0; i < 600 && !/Training relu/.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stdout, /Training relu/);
    const holder = JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8'));
    assert.equal(holder.pid, child.pid);

    for (const extra of [['--force'], []]) {
      const second = await runCli(['compare', ...tiny(data), '--epochs', '1', '--seed', '8', '--out', out, ...extra]);
      assert.equal(second.code, EXIT.TEMP_FAIL, second.stderr);
      assert.match(second.stderr, new RegExp(`is being written by lisht compare \\(pid ${child.pid} on ${hostname()}`));
    }
    const resume = await runCli(['compare', '--resume', out]);
    assert.equal(resume.code, EXIT.TEMP_FAIL, resume.stderr);
    const report = await runCli(['report', out, '--out', out]);
    assert.equal(report.code, EXIT.TEMP_FAIL, report.stderr);

    child.kill('SIGINT');
    assert.equal(await ended, EXIT.INTERRUPTED);
    assert.equal(existsSync(join(out, LOCK_FILE)), false, 'the lock goes with its holder');
    assert.equal(summaryOf(out).options.seed, 7, 'the first run is intact');

    // A holder killed with -9 leaves its lock behind; the next writer takes it over.
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), pidStart: '1', since: 'then', command: 'lisht compare' }));
    const resumed = await runCli(['compare', '--resume', out, '--backend', 'wasm']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(summaryOf(out).status, 'done');
  } finally {
    dir.remove();
  }
});

test("issue 25 item 3: report --out refuses another run's folder or report (73)", async () => {
  const dir = tempDir('lisht-hostile-report-');
  try {
    const data = cifarFixture(dir.path);
    const run = join(dir.path, 'run');
    assert.equal((await runCli(['compare', ...tiny(data), '--epochs', '1', '--seed', '1', '--out', run])).code, 0);
    const db = join(dir.path, 'other.db');
    const spec = irisSpec(dir.path, { epochs: 1 });
    const ran = await runCli(['run', spec, '--db', db, '--data', `iris=${irisPath(dir.path)}`]);
    assert.equal(ran.code, 0, ran.stderr);
    const before = snapshot(run);

    const into = await runCli(['report', '--db', db, '--out', run]);
    assert.equal(into.code, EXIT.CANT_CREATE, into.stderr);
    assert.match(into.stderr, /is another run's folder/);
    assert.deepEqual(snapshot(run), before);

    // A report folder belongs to its store: the same store may rewrite it, another may not.
    const rep = join(dir.path, 'rep');
    assert.equal((await runCli(['report', '--db', db, '--out', rep])).code, 0);
    assert.equal((await runCli(['report', '--db', db, '--out', rep])).code, 0);
    const reportBefore = snapshot(rep);
    const mixed = await runCli(['report', run, '--out', rep]);
    assert.equal(mixed.code, EXIT.CANT_CREATE, mixed.stderr);
    assert.match(mixed.stderr, /holds the report of .*other\.db/);
    assert.deepEqual(snapshot(rep), reportBefore);
    // The run's own report into its own folder is fine.
    assert.equal((await runCli(['report', run, '--out', run])).code, 0);
  } finally {
    dir.remove();
  }
});

test('issue 25 item 4: an output folder under /proc is refused at once with 73, not a hang', { skip: existsSync('/proc/self') ? false : 'no /proc here' }, async () => {
  const dir = tempDir('lisht-hostile-proc-');
  try {
    const data = cifarFixture(dir.path);
    const cases = [
      ['compare', ...tiny(data), '--epochs', '1', '--out', '/proc/lisht-xx'],
      ['playground', '--build', '/proc/lisht-yy'],
      ['datasets', 'download', 'iris', '--cache-dir', '/proc/lisht-zz'],
    ];
    for (const args of cases) {
      const r = await runCli(args);
      assert.equal(r.code, EXIT.CANT_CREATE, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /cannot create folder \/proc\/lisht-.*: \/proc does not accept new folders/);
    }
  } finally {
    dir.remove();
  }
});

/** Runs the CLI with its stdout piped into `head -1`, as a shell pipeline does. */
function intoHead(args: string[]): Promise<{ code: number | null; stderr: string; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const head = spawn('head', ['-1'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.pipe(head.stdin);
    head.stdin.on('error', () => undefined);
    let stderr = '';
    let line = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    head.stdout.on('data', (c: Buffer) => (line += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, line }));
  });
}

test('issue 25 item 10: a closed stdout ends results and compare quietly', async () => {
  const dir = tempDir('lisht-hostile-epipe-');
  try {
    const data = cifarFixture(dir.path);
    const run = join(dir.path, 'run');
    assert.equal((await runCli(['compare', ...tiny(data), '--activations', 'relu,lisht', '--epochs', '1', '--seed', '1', '--out', run])).code, 0);
    const results = await intoHead(['results', run, '--format', 'csv']);
    assert.equal(results.code, 0, results.stderr);
    assert.match(results.line, /^experiment,/);
    assert.doesNotMatch(results.stderr, /EPIPE|internal error/);

    const out = join(dir.path, 'piped');
    const compared = await intoHead(['compare', ...tiny(data), '--activations', 'relu,lisht', '--epochs', '3', '--seed', '2', '--out', out]);
    assert.doesNotMatch(compared.stderr, /EPIPE|internal error|at .*\.js:\d+/);
    assert.ok(compared.code === 0 || compared.code === EXIT.INTERRUPTED, `exit ${compared.code}: ${compared.stderr}`);
    // Stopped or finished, the run is whole: it resumes (or is done) from what it recorded.
    const resumed = await runCli(['compare', '--resume', out]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(summaryOf(out).status, 'done');
  } finally {
    dir.remove();
  }
});

test('issue 25 item 12: exit codes and messages', async () => {
  const dir = tempDir('lisht-hostile-messages-');
  try {
    const missingSpec = await runCli(['run', join(dir.path, 'nope.yaml'), '--db', join(dir.path, 'x.db')]);
    assert.equal(missingSpec.code, EXIT.NO_INPUT, missingSpec.stderr);
    const folderSpec = await runCli(['run', dir.path, '--db', join(dir.path, 'x.db')]);
    assert.equal(folderSpec.code, EXIT.NO_INPUT, folderSpec.stderr);
    assert.match(folderSpec.stderr, /it is a folder/);
    const spec = irisSpec(dir.path, { epochs: 1 });
    const missingData = await runCli(['run', spec, '--db', join(dir.path, 'x.db'), '--data', `iris=${join(dir.path, 'none.csv')}`]);
    assert.equal(missingData.code, EXIT.NO_INPUT, missingData.stderr);

    // Printed commands paste back whole: paths with spaces are quoted.
    const spaced = join(dir.path, 'my runs');
    mkdirSync(spaced);
    const db = join(spaced, "it's.db");
    const ran = await runCli(['run', spec, '--db', db, '--data', `iris=${irisPath(dir.path)}`, '--workers', '0']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.ok(ran.stdout.includes(`lisht worker --db ${shellQuote(db)} --experiment iris-test`), ran.stdout);
    assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(db)}`]).toString(), db);

    // A separate worker labels its lines with its host and pid, not [w1].
    const worker = await runCli(['worker', '--db', db, '--data', `iris=${irisPath(dir.path)}`]);
    assert.equal(worker.code, 0, worker.stderr);
    assert.match(worker.stdout, new RegExp(`^\\[${hostname()}:\\d+\\] backend `, 'm'));
    assert.doesNotMatch(worker.stdout, /\[w1\]/);

    // A one-seed compare draws no band and so makes Vega warn about none.
    const data = cifarFixture(dir.path);
    const one = await runCli(['compare', ...tiny(data), '--epochs', '2', '--seed', '1', '--out', join(dir.path, 'one')]);
    assert.equal(one.code, 0, one.stderr);
    assert.doesNotMatch(one.stdout + one.stderr, /vega WARN|Infinite extent/);
  } finally {
    dir.remove();
  }
});

test('issue 25 item 12: a database on a read-only mount says read-only (73)', { skip: process.getuid?.() === 0 ? false : 'needs root for a read-only bind mount' }, async () => {
  const dir = tempDir('lisht-hostile-ro-');
  const mnt = join(dir.path, 'ro');
  mkdirSync(mnt);
  let mounted = false;
  try {
    const spec = irisSpec(dir.path, { epochs: 1 });
    execFileSync('mount', ['--bind', mnt, mnt]);
    mounted = true;
    execFileSync('mount', ['-o', 'remount,bind,ro', mnt]);
    const r = await runCli(['run', spec, '--db', join(mnt, 'r.db'), '--data', `iris=${irisPath(dir.path)}`]);
    assert.equal(r.code, EXIT.CANT_CREATE, r.stderr);
    assert.match(r.stderr, /read-only file system; nothing was written/);
  } finally {
    if (mounted) execFileSync('umount', [mnt]);
    chmodSync(mnt, 0o755);
    dir.remove();
  }
});

test('issue 25 item 13: resuming a finished run on another backend records the backend it was made with', async () => {
  const dir = tempDir('lisht-hostile-backend-');
  try {
    const data = cifarFixture(dir.path);
    const out = join(dir.path, 'R');
    assert.equal((await runCli(['compare', ...tiny(data), '--epochs', '1', '--seed', '1', '--out', out])).code, 0);
    const r = await runCli(['compare', '--resume', out, '--backend', 'cpu']);
    assert.equal(r.code, 0, r.stderr);
    const summary = summaryOf(out);
    assert.equal(summary.options.backend, 'wasm', 'the options are those the run was started with');
    assert.equal(summary.backend, 'wasm', 'only wasm trained');
  } finally {
    dir.remove();
  }
});
