/**
 * Whole training epochs as users live them: `lisht compare` (training + validation, every step's
 * loss read back, progress, checkpoint and store writes between epochs) against PyTorch's plain
 * training loop over the same archive (`bench/pytorch_epoch.py`, training only), one activation
 * at a time, the contenders alternated round by round. The figure `npm run bench` prints first.
 *
 * Data: the CIFAR-10 subset of `../shared/datasets` (10,000 + 2,000 real images) and a
 * synthetic archive of the full size (50,000 + 10,000 random images: accuracies stay at chance,
 * the arithmetic per image is the same).
 *
 *   node dist/bench/epoch.js [--sizes subset,full] [--epochs 3] [--rounds 2] [--backend native]
 *                            [--activations relu,lisht] [--precisions fp32,bf16] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { CompareSummary } from '../src/experiments/compare_types.js';
import { formatTable, fixed } from '../src/reports/table.js';
import { median } from '../src/training/bench.js';
import { cifar10Fixture, tarGz } from '../test/helpers/archives.js';
import { REPO_ROOT, SHARED_DATASETS } from '../test/helpers/env.js';
import { pytorchCommand } from './pytorch.js';
import { machineLine } from './machine.js';

const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');
const SUBSET = join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz');

/** What {@link epochBench} runs. */
export interface EpochBenchOptions {
  sizes: ('subset' | 'full')[];
  activations: string[];
  /** Epochs per run; each run's first epoch (caches, JIT) is left out of the median when > 1. */
  epochs: number;
  rounds: number;
  backend: string;
  /** lisht's precisions, each its own contender (`compare --precision`); default fp32 alone. */
  precisions: string[];
  torch: boolean;
}

/** One contender's epochs on one data set. */
export interface EpochRow {
  size: string;
  activation: string;
  contender: string;
  /** Median seconds per epoch over every run's epochs (first epochs left out, see above). */
  seconds: number;
  epochs: number[];
}

function steady(seconds: number[]): number[] {
  return seconds.length > 1 ? seconds.slice(1) : seconds;
}

function lishtEpochs(archive: string, activation: string, precision: string, o: EpochBenchOptions, dir: string): number[] {
  const out = join(dir, `run-${activation}-${precision}-${Date.now()}`);
  const args = [CLI, 'compare', '--data', archive, '--activations', activation, '--epochs', String(o.epochs), '--backend', o.backend, '--seed', '1', '--no-gradient-flow', '--out', out];
  if (precision !== 'fp32') args.push('--precision', precision);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`lisht compare exited with ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as CompareSummary;
  rmSync(out, { recursive: true, force: true });
  return summary.results[0]!.epochs.map((e) => e.seconds);
}

function torchEpochs(python: { command: string; env: NodeJS.ProcessEnv }, archive: string, activation: string, o: EpochBenchOptions): number[] {
  const script = join(REPO_ROOT, 'bench', 'pytorch_epoch.py');
  const r = spawnSync(python.command, [script, archive, '--epochs', String(o.epochs), '--activations', activation], { encoding: 'utf8', env: python.env });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`PyTorch loop failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  return (JSON.parse(line) as { results: Record<string, number[]> }).results[activation]!;
}

/** Runs the epochs, alternating the contenders in every round, and returns one row per contender. */
export function epochBench(o: EpochBenchOptions, log: (line: string) => void = () => {}): { rows: EpochRow[]; notes: string[] } {
  const notes: string[] = [];
  const python = o.torch ? pytorchCommand() : undefined;
  if (o.torch && python === undefined) notes.push('PyTorch: not measured (no python3 with torch; on Debian: apt-get install python3-torch)');
  const dir = mkdtempSync(join(tmpdir(), 'lisht-epoch-bench-'));
  const rows: EpochRow[] = [];
  try {
    for (const size of o.sizes) {
      let archive = SUBSET;
      if (size === 'full') {
        archive = join(dir, 'cifar-10-binary.tar.gz');
        writeFileSync(archive, tarGz(cifar10Fixture({ perBatch: [10000, 10000, 10000, 10000, 10000], test: 10000 }).entries));
      } else if (!existsSync(SUBSET)) {
        notes.push(`subset: not measured (${SUBSET} is absent)`);
        continue;
      }
      for (const activation of o.activations) {
        const runs: Record<string, number[]> = {};
        const contenders: [string, () => number[]][] = o.precisions.map((p) => [
          `lisht compare, ${o.backend}${p === 'fp32' ? '' : ` ${p}`} (train + validation)`,
          () => lishtEpochs(archive, activation, p, o, dir),
        ]);
        if (python !== undefined) contenders.push(['PyTorch loop, NCHW (training only)', () => torchEpochs(python, archive, activation, o)]);
        for (let round = 0; round < o.rounds; round++) {
          for (const [name, run] of contenders) {
            const seconds = run();
            (runs[name] ??= []).push(...steady(seconds));
            log(`${size} ${activation} round ${round + 1}: ${name}: ${seconds.map((s) => s.toFixed(2)).join(', ')} s/epoch`);
          }
        }
        for (const [name] of contenders) rows.push({ size, activation, contender: name, seconds: median(runs[name]!), epochs: runs[name]! });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes };
}

/** The rows as a table, each lisht row with its ratio to PyTorch's on the same data and activation. */
export function formatEpochTable(rows: EpochRow[]): string {
  const torch = (r: EpochRow) => rows.find((t) => t.size === r.size && t.activation === r.activation && t.contender.startsWith('PyTorch'));
  return formatTable(
    [
      { header: 'data', align: 'left' },
      { header: 'activation', align: 'left' },
      { header: 'contender', align: 'left' },
      { header: 's/epoch', format: fixed(2) },
      { header: 'x PyTorch', format: fixed(2) },
      { header: 'epochs timed', align: 'left' },
    ],
    rows.map((r) => {
      const t = r.contender.startsWith('PyTorch') ? undefined : torch(r);
      return [r.size, r.activation, r.contender, r.seconds, t ? r.seconds / t.seconds : null, r.epochs.map((s) => s.toFixed(2)).join(' ')];
    }),
  );
}

function parseOptions(argv: string[]): EpochBenchOptions {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: 'subset,full' },
      activations: { type: 'string', default: 'relu,lisht' },
      epochs: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '2' },
      backend: { type: 'string', default: 'native' },
      precisions: { type: 'string', default: 'fp32' },
      'no-torch': { type: 'boolean', default: false },
    },
  });
  const count = (name: 'epochs' | 'rounds'): number => {
    const n = Number(v[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${v[name]}`);
    return n;
  };
  const sizes = v.sizes.split(',');
  for (const s of sizes) if (s !== 'subset' && s !== 'full') throw new Error(`--sizes takes subset and/or full, not ${s}`);
  return {
    sizes: sizes as EpochBenchOptions['sizes'],
    activations: v.activations.split(','),
    epochs: count('epochs'),
    rounds: count('rounds'),
    backend: v.backend,
    precisions: v.precisions.split(','),
    torch: !v['no-torch'],
  };
}

/** The header line of the table: what was measured, and how. */
export function epochHeader(o: EpochBenchOptions): string {
  return `Whole epochs, seed-cnn, batch 100, Adam; ${o.rounds} rounds of ${o.epochs} epochs per contender, alternated; median s/epoch${o.epochs > 1 ? ' after each run\'s first epoch' : ''}.\nsubset: 10,000 training + 2,000 validation real images; full: 50,000 + 10,000 synthetic ones.`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let options: EpochBenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const { rows, notes } = epochBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${machineLine()}\n${epochHeader(options)}\n\n${formatEpochTable(rows)}\n`);
  for (const n of notes) process.stdout.write(`${n}\n`);
}
