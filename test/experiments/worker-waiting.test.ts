/**
 * Issue 25 item 5: a worker waiting for an unreachable PostgreSQL says so, with its backoff,
 * and stops on the first signal (exit 130); a `lisht run` whose remaining trials are held by
 * other (maybe dead) workers says it waits for their leases instead of waiting silently.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import '../../src/register.js';
import { EXIT } from '../../src/exit_codes.js';
import { openStore } from '../../src/experiments/open_store.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/env.js';
import { closedPort } from '../helpers/http-server.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { CLI, irisPath, irisSpec } from './helpers/experiments.js';

/** Runs the CLI until `ready(stdout)` holds, then sends SIGINT; resolves to the outcome. */
function interruptWhen(args: string[], ready: (stdout: string) => boolean): Promise<{ code: number | null; stdout: string; stderr: string; afterSignalMs: number }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sentAt = 0;
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (sentAt === 0 && ready(stdout)) {
      sentAt = Date.now();
      child.kill('SIGINT');
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, afterSignalMs: Date.now() - sentAt })));
}

let server: PgServer;
const dir = tempDir('lisht-worker-wait-');
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.remove();
  dir.remove();
});

test('issue 25 item 5: `lisht worker` on an unreachable server says what it waits for, with the backoff, and stops on the first SIGINT', { timeout: 60_000 }, async () => {
  const port = await closedPort();
  const r = await interruptWhen(['worker', '--db', `postgres://lisht@127.0.0.1:${port}/db`], (out) => (out.match(/waiting for the database/g) ?? []).length >= 3);
  const waits = r.stdout.split('\n').filter((l) => /waiting for the database/.test(l));
  assert.match(waits[0]!, new RegExp(`waiting for the database: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}: connection refused .*; retrying in 100 ms \\(gives up in 10 min\\)`));
  assert.match(waits[1]!, /retrying in 200 ms/, 'the backoff doubles');
  assert.equal(r.code, EXIT.INTERRUPTED, r.stderr);
  assert.match(r.stderr, /lisht: error: stopped while waiting for PostgreSQL at 127\.0\.0\.1:\d+/);
  // Generous: without the fix the worker keeps retrying for 10 minutes.
  assert.ok(r.afterSignalMs < 10_000, `ended ${r.afterSignalMs} ms after the signal`);
});

test('issue 25 item 5: `lisht run` on PostgreSQL says it waits for trials another (dead) worker holds', { timeout: 120_000 }, async () => {
  const url = await server.createDatabase('leases');
  const spec = irisSpec(dir.path, { epochs: 1 });
  const iris = irisPath(dir.path);
  const registered = await runCli(['run', spec, '--db', url, '--workers', '0', '--data', `iris=${iris}`]);
  assert.equal(registered.code, 0, registered.stderr);
  // A worker that claimed a trial and died: its lease (10 min) still runs.
  const store = await openStore(url);
  try {
    const [experiment] = await store.experiments();
    const claimed = await store.claimTrial(experiment!.id, { pid: 999_999, host: hostname(), pidStart: null, backend: 'cpu', lishtVersion: 'test', gitCommit: null }, 600_000);
    assert.ok(claimed !== undefined);
  } finally {
    await store.close();
  }
  const r = await interruptWhen(['run', spec, '--db', url, '--workers', '1', '--data', `iris=${iris}`], (out) => /waiting for 1 trial held by other workers/.test(out));
  assert.match(r.stdout, /\[w1\] waiting for 1 trial held by other workers: they finish there, or are taken over here once a claim goes 5 min without a heartbeat/);
  assert.equal((r.stdout.match(/waiting for 1 trial/g) ?? []).length, 1, 'said once, not on every poll');
  assert.equal(r.code, EXIT.INTERRUPTED, r.stderr);
});
