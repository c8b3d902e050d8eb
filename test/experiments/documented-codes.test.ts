/**
 * Issue 25 item 9: inputs and conditions that crashed with a stack trace (exit 70) end with one
 * line and their documented code: a full disk (74), a read-only or file --cache-dir (73), a
 * huge tar member (65), SSL asked of a server without it (69), out-of-range flags (2), damaged
 * stores (65). One test per case; the disk cases mount a tiny tmpfs and need root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { Header } from 'tar';
import { EXIT } from '../../src/exit_codes.js';
import { listTree, runCli, tempDir, type CliResult } from '../helpers/env.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { cifarFixture, irisPath, irisSpec } from './helpers/experiments.js';

const isRoot = process.getuid?.() === 0;
const needsRoot = isRoot ? false : 'mounting a tmpfs needs root';

const dir = tempDir('lisht-codes-');
const mounts: string[] = [];
after(() => {
  for (const m of mounts.reverse()) execFileSync('umount', [m]);
  dir.remove();
});

/** A tmpfs of `size` at a new folder under the test's folder. */
function tmpfs(name: string, options: string): string {
  const path = join(dir.path, name);
  mkdirSync(path);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path]);
  mounts.push(path);
  return path;
}

/** Fills the file system of `path` until only `leave` bytes are free. */
function fill(path: string, leave: number): void {
  const { bavail, bsize } = statfsSync(path);
  execFileSync('fallocate', ['-l', String(bavail * bsize - leave), join(path, 'filler')]);
}

function oneLine(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !/^vega WARN/.test(l));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
}

let db: string;
before(async () => {
  db = join(dir.path, 'r.db');
  const r = await runCli(['run', irisSpec(dir.path, { epochs: 1 }), '--db', db, '--data', `iris=${irisPath(dir.path)}`]);
  assert.equal(r.code, 0, r.stderr);
});

test('issue 25 item 9: ENOSPC while `report --out` writes its charts: exit 74, naming the file', { skip: needsRoot }, async () => {
  const full = tmpfs('full-report', 'size=256k');
  fill(full, 16 * 1024);
  const r = await runCli(['report', '--db', db, '--out', join(full, 'rep')]);
  oneLine(r, EXIT.IO, /^lisht: error: .*full-report\/rep\/.*: cannot write: no space left on the device$/);
  assert.deepEqual(listTree(join(full, 'rep')).filter((f) => /\.tmp$/.test(f)), []);
});

test('issue 25 item 9: ENOSPC during `compare --resume`: exit 74, one line, no temporary file left', { skip: needsRoot }, async () => {
  const run = join(dir.path, 'cmp');
  const first = await runCli(['compare', '--data', irisPath(dir.path), '--dataset', 'iris', '--model', 'mlp', '--activations', 'relu', '--epochs', '1', '--backend', 'wasm', '--out', run]);
  assert.equal(first.code, 0, first.stderr);
  const full = tmpfs('full-compare', 'size=4m');
  cpSync(run, join(full, 'cmp'), { recursive: true });
  fill(full, 40 * 1024);
  const r = await runCli(['compare', '--resume', join(full, 'cmp')]);
  oneLine(r, EXIT.IO, /^lisht: error: .*full-compare\/cmp\/.*(no space left on the device|disk is full)/);
  assert.deepEqual(listTree(join(full, 'cmp')).filter((f) => /\.tmp$|\.part$/.test(f)), []);
});

test('issue 25 item 9: --cache-dir naming a file or a read-only mount: exit 73', { skip: needsRoot }, async () => {
  const file = join(dir.path, 'a-file');
  writeFileSync(file, 'x');
  const onFile = await runCli(['datasets', 'download', 'iris', '--cache-dir', file], { LISHT_DATA_MIRROR: 'http://127.0.0.1:1' });
  oneLine(onFile, EXIT.CANT_CREATE, /^lisht: error: cannot create folder .*a-file\/iris/);
  const ro = tmpfs('ro', 'size=64k,ro');
  const onRo = await runCli(['datasets', 'download', 'iris', '--cache-dir', ro], { LISHT_DATA_MIRROR: 'http://127.0.0.1:1' });
  oneLine(onRo, EXIT.CANT_CREATE, /^lisht: error: cannot create folder .*ro\/iris: .*read-only/);
});

test('issue 25 item 9: a tar member declaring 2.1 GB in a small archive: exit 65 before anything is allocated', async () => {
  const header = Buffer.alloc(512);
  new Header({ path: 'cifar-10-batches-bin/data_batch_1.bin', type: 'File', size: 3073 * 700_000, mode: 0o644, mtime: new Date(0) }).encode(header, 0);
  const archive = join(dir.path, 'huge-member.tar.gz');
  writeFileSync(archive, gzipSync(Buffer.concat([header, Buffer.alloc(1 << 20)])));
  const r = await runCli(['datasets', 'info', 'cifar10', '--data', archive]);
  oneLine(r, EXIT.DATA, /data_batch_1\.bin declares 2151100000 bytes, more than any cifar10 member holds/);
});

test('issue 25 item 9: out-of-range flags are usage errors: playground --port 65536, show --scale 100000, bench --batch-size 100000000', async () => {
  const port = await runCli(['playground', '--port', '65536']);
  assert.equal(port.code, EXIT.USAGE, port.stderr);
  assert.match(port.stderr, /expected a port from 0 to 65535, got '65536'/);
  const show = await runCli(['show', 'cifar10', '--data', cifarFixture(dir.path), '--out', join(dir.path, 'x.png'), '--scale', '100000']);
  oneLine(show, EXIT.USAGE, /^lisht: error: the picture would be \d+ x \d+ pixels at scale 100000; at most \d+ pixels/);
  assert.deepEqual(listTree(dir.path).filter((f) => f.startsWith('x.png')), []);
  const bench = await runCli(['bench', '--backend', 'cpu', '--batch-size', '100000000']);
  assert.equal(bench.code, EXIT.USAGE, bench.stderr);
  assert.match(bench.stderr, /lisht: error: batch size 100000000 makes a batch of 307200000000 input values; at most 268435456/);
  assert.doesNotMatch(bench.stderr, /\n\s+at /);
});

test('issue 25 item 9: damaged stores are exit 65 for `run` and `results`: bad JSON in config_json, a dropped table, user_version reset to 0', async () => {
  const damage: Record<string, string> = {
    json: `UPDATE trials SET config_json = '{bad' WHERE id = 1`,
    dropped: 'DROP TABLE epochs',
    version: 'PRAGMA user_version = 0',
  };
  const expected: Record<string, RegExp> = {
    json: /the results store is damaged: trial 1's config_json is not valid JSON/,
    dropped: /is damaged: schema version \d+ but table epochs missing/,
    version: /is damaged: its schema version reads 0 but it holds tables/,
  };
  for (const [kind, sql] of Object.entries(damage)) {
    const copy = join(dir.path, `damaged-${kind}.db`);
    copyFileSync(db, copy);
    const d = new Database(copy);
    d.exec(sql);
    d.close();
    for (const args of [['results', '--db', copy], ['run', irisSpec(dir.path, { epochs: 1 }), '--db', copy, '--data', `iris=${irisPath(dir.path)}`]]) {
      const r = await runCli(args);
      oneLine(r, EXIT.DATA, expected[kind]!);
    }
  }
});

test('issue 25 item 9: ?sslmode=require against a server without SSL: exit 69, one line', async () => {
  let server: PgServer | undefined;
  try {
    server = await startPostgres();
    const url = `${await server.createDatabase('nossl')}?sslmode=require`;
    const r = await runCli(['results', '--db', url]);
    assert.equal(r.code, EXIT.UNAVAILABLE, r.stderr);
    // node-postgres warns (a Node process warning) about how it reads sslmode; lisht's own
    // output is the one line.
    const ours = r.stderr.split('\n').filter((l) => l.startsWith('lisht:'));
    assert.equal(ours.length, 1, r.stderr);
    assert.match(ours[0]!, /^lisht: error: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: the server does not support SSL connections/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    await server?.remove();
  }
});
