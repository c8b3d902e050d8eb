/**
 * Seconds per epoch of `lisht compare` at the full CIFAR-10 size (50,000 training images, the
 * 10,000 test images as validation), for machines without the real archive: writes a
 * synthetic one of that size (random pixels, so accuracies stay at chance; the arithmetic per
 * image is the same) to a temporary folder, runs the command on it, and reads the epoch times
 * from its `summary.json`.
 *
 *   node dist/bench/full-epoch.js [--backend native] [--epochs 2]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompareSummary } from '../src/experiments/compare_types.js';
import { cifar10Fixture, tarGz } from '../test/helpers/archives.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
}
const backend = option('backend', 'native');
const epochs = Number(option('epochs', '2'));
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));


const dir = mkdtempSync(join(tmpdir(), 'lisht-full-epoch-'));
try {
  const archive = join(dir, 'cifar-10-binary.tar.gz');
  const fixture = cifar10Fixture({ perBatch: [10000, 10000, 10000, 10000, 10000], test: 10000 });
  writeFileSync(archive, tarGz(fixture.entries));
  const out = join(dir, 'run');
  const args = [CLI, 'compare', '--data', archive, '--epochs', String(epochs), '--backend', backend, '--seed', '1', '--out', out];
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`lisht compare exited with ${r.status}`);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as CompareSummary;
  console.log(`lisht compare, seed-cnn, batch 100, ${summary.train_count} training + ${summary.test_count} validation images, backend ${backend}`);
  let perRun = 0;
  for (const { activation, epochs: history } of summary.results) {
    const seconds = history.map((e) => e.seconds);
    const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
    perRun += mean;
    console.log(`  ${activation.padEnd(6)} s/epoch (training + validation): ${seconds.map((s) => s.toFixed(1)).join(', ')}`);
  }
  console.log(`  whole command: ${wall.toFixed(0)} s for ${epochs} epochs per activation (loading, summaries and reports included)`);
  console.log(`  50 epochs of each activation at these rates: ${((perRun * 50) / 60).toFixed(1)} min of training`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
