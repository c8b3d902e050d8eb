/**
 * `npm run bench`: training speed of the article's CNN (seed-cnn, batch 100) for ReLU and
 * LiSHT on every backend that starts on this machine, and the same model in PyTorch when
 * `python3` with `torch` is present, measured side by side in one run. Each figure comes
 * from its own process (`lisht bench --json`), so backends do not share warm caches or heaps.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../src/backends/select.js';
import { buildSeedCnn } from '../src/models/seed_cnn.js';
import { formatTable, fixed } from '../src/reports/table.js';
import { trainingStepFlops } from '../src/training/flops.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const PYTORCH_SCRIPT = join(ROOT, 'bench/pytorch_seed_cnn.py');
const ACTIVATIONS = ['relu', 'lisht'];
const BATCH = 100;
const steps = Number(process.env.LISHT_BENCH_STEPS ?? 20);

interface Row {
  backend: string;
  activation: string;
  ms: number;
}

function runJson(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Record<string, unknown> | string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 30 * 60_000 });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Record<string, unknown>;
}

/** Nominal fp32 peak: cores x clock x FLOPs per cycle of the widest FMA units the CPU has. */
function nominalPeakFlops(): { flops: number; how: string } | undefined {
  if (!existsSync('/proc/cpuinfo')) return undefined;
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const flags = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? '';
  const perCycle = /\bavx512f\b/.test(flags) ? 64 : /\bfma\b/.test(flags) && /\bavx2\b/.test(flags) ? 32 : 8;
  // Virtual machines often report no clock; LISHT_CPU_GHZ supplies it.
  const mhz = Number(process.env.LISHT_CPU_GHZ ?? 0) * 1000 || Math.max(...cpus().map((c) => c.speed));
  if (!(mhz > 0)) return undefined;
  const cores = cpus().length;
  return { flops: cores * mhz * 1e6 * perCycle, how: `${cores} cores x ${(mhz / 1000).toFixed(2)} GHz x ${perCycle} FLOP/cycle` };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const backend of ['tensorflow', 'native', 'wasm']) {
    for (const activation of ACTIVATIONS) {
      const r = runJson(process.execPath, [CLI, 'bench', '--backend', backend, '--activation', activation, '--batch-size', String(BATCH), '--steps', String(steps), '--json']);
      if (typeof r === 'string') {
        notes.push(`${backend}: not measured (${r})`);
        break;
      }
      rows.push({ backend, activation, ms: r.ms_per_step as number });
      process.stderr.write(`${backend} ${activation}: ${(r.ms_per_step as number).toFixed(1)} ms/step\n`);
    }
  }
  const torch: Record<string, number> = {};
  const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (python === undefined) {
    notes.push('PyTorch: not measured (no python3 with torch; on Debian: apt-get install python3-torch)');
  } else {
    // Some machines set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE to work around old OpenBLAS
    // bugs; they slow PyTorch's CPU kernels about tenfold, so the reference runs without them.
    const torchEnv = { ...process.env };
    delete torchEnv.OPENBLAS_CORETYPE;
    delete torchEnv.OPENBLAS_L2_SIZE;
    const r = runJson(python, [PYTORCH_SCRIPT, '--steps', String(steps), '--batch', String(BATCH)], torchEnv);
    if (typeof r === 'string') notes.push(`PyTorch: failed (${r})`);
    else {
      // The script times each memory format; PyTorch's best one is the fair reference.
      const results = r.results as Record<string, { ms_per_step: number }>;
      for (const [key, value] of Object.entries(results)) {
        const a = key.split('/')[0];
        torch[a] = Math.min(torch[a] ?? Infinity, value.ms_per_step);
      }
    }
    for (const a of ACTIVATIONS) if (torch[a] !== undefined) rows.push({ backend: `pytorch (${python})`, activation: a, ms: torch[a] });
  }

  await selectBackend('cpu');
  const flops = trainingStepFlops(buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation: 'relu', seed: 1 }) as tfl.LayersModel, BATCH);
  const peak = nominalPeakFlops();
  const table = rows.map((r) => [
    r.backend,
    r.activation,
    r.ms,
    (BATCH * 1000) / r.ms,
    torch[r.activation] !== undefined && !r.backend.startsWith('pytorch') ? r.ms / torch[r.activation] : null,
    flops / (r.ms / 1000) / 1e9,
    peak ? flops / (r.ms / 1000) / peak.flops : null,
  ]);
  process.stdout.write(
    `seed-cnn training step, batch ${BATCH}, median of ${steps} steps after warm-up; ${(flops / 1e9).toFixed(2)} GFLOP per step\n\n` +
      formatTable(
        [
          { header: 'backend', align: 'left' },
          { header: 'activation', align: 'left' },
          { header: 'ms/step', format: fixed(1) },
          { header: 'images/s', format: fixed(0) },
          { header: 'x PyTorch', format: fixed(2) },
          { header: 'GFLOP/s', format: fixed(1) },
          { header: 'of peak', format: (v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '') },
        ],
        table,
      ) +
      '\n',
  );
  process.stdout.write(
    peak
      ? `\nNominal fp32 peak: ${(peak.flops / 1e9).toFixed(0)} GFLOP/s (${peak.how}).\n`
      : '\nShare of peak: the CPU reports no clock here; set LISHT_CPU_GHZ to compute it.\n',
  );
  for (const n of notes) process.stdout.write(`${n}\n`);
}

await main();
