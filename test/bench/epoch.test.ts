import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatEpochTable, type EpochRow } from '../../bench/epoch.js';
import { REPO_ROOT, SHARED_DATASETS } from '../helpers/env.js';

const SCRIPT = join(REPO_ROOT, 'dist/bench/epoch.js');
const SUBSET = join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz');

test('the epoch table divides each lisht row by the PyTorch row of the same data and activation', () => {
  const rows: EpochRow[] = [
    { size: 'subset', activation: 'relu', contender: 'lisht compare, native (train + validation)', seconds: 1.5, epochs: [1.5] },
    { size: 'subset', activation: 'relu', contender: 'PyTorch loop, NCHW (training only)', seconds: 3, epochs: [3] },
    { size: 'subset', activation: 'lisht', contender: 'lisht compare, native (train + validation)', seconds: 2, epochs: [2] },
    { size: 'subset', activation: 'lisht', contender: 'PyTorch loop, NCHW (training only)', seconds: 8, epochs: [8] },
  ];
  const lines = formatEpochTable(rows).split('\n');
  assert.match(lines.find((l) => l.includes('relu') && l.includes('lisht compare'))!, /1\.50 +0\.50/);
  assert.match(lines.find((l) => l.includes('lisht  ') && l.includes('lisht compare'))!, /2\.00 +0\.25/);
});

test('the epoch benchmark times real epochs of lisht compare and prints them', { skip: existsSync(SUBSET) ? false : `real data not found at ${SUBSET}` }, () => {
  const r = spawnSync(process.execPath, [SCRIPT, '--sizes', 'subset', '--epochs', '1', '--rounds', '1', '--activations', 'relu', '--backend', 'auto', '--no-torch'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const row = r.stdout.split('\n').find((l) => l.startsWith('subset') && l.includes('lisht compare'));
  assert.ok(row, r.stdout);
  const seconds = Number(row!.split(/ {2,}/)[3]);
  assert.ok(seconds > 0 && Number.isFinite(seconds), row);
});

test('the epoch benchmark refuses a malformed flag with exit code 2', () => {
  for (const args of [['--epochs', '0'], ['--sizes', 'huge'], ['--rounds']]) {
    const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /--(epochs|sizes|rounds)/);
  }
});
