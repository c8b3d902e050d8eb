/**
 * `npm run bench`: training speed of the article's CNN (seed-cnn, batch 100) for ReLU and
 * LiSHT on every backend that starts on this machine, and the same model in PyTorch when
 * `python3` with `torch` is present, measured side by side in one run. Each figure comes
 * from its own process (`lisht bench --json`), so backends do not share warm caches or heaps.
 * Before the steps: whole epochs of `lisht compare` against PyTorch's training loop
 * (bench/epoch.ts); `LISHT_BENCH_EPOCHS=0` leaves them out.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { bf16Missing } from '../src/backends/native/precision.js';
import { selectBackend } from '../src/backends/select.js';
import { buildSeedCnn } from '../src/models/seed_cnn.js';
import { formatTable, fixed } from '../src/reports/table.js';
import { trainingStepFlops } from '../src/training/flops.js';
import { epochBench, epochHeader, formatEpochTable, type EpochBenchOptions } from './epoch.js';
import { machineLine } from './machine.js';
import { peakFlops } from './peak.js';
import { pytorchCommand } from './pytorch.js';

/** Whether the native addon loads and runs bf16 in hardware here (the epoch rows add bf16 then). */
function bf16Supported(): boolean {
  try {
    return bf16Missing() === undefined;
  } catch {
    return false;
  }
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const PYTORCH_SCRIPT = join(ROOT, 'bench/pytorch_seed_cnn.py');
const ACTIVATIONS = ['relu', 'lisht'];
const BATCH = 100;
const steps = Number(process.env.LISHT_BENCH_STEPS ?? 30);
const WARMUP = 10;

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

async function main(): Promise<void> {
  // Whole epochs first: the figure users live, of which the step table below is the core.
  process.stdout.write(`${machineLine()}\n\n`);
  const epochOptions: EpochBenchOptions = { sizes: ['subset', 'full'], activations: ACTIVATIONS, epochs: 3, rounds: 2, backend: 'native', precisions: bf16Supported() ? ['fp32', 'bf16'] : ['fp32'], torch: true };
  if (process.env.LISHT_BENCH_EPOCHS !== '0') {
    const epochs = epochBench(epochOptions, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${epochHeader(epochOptions)}\n\n${formatEpochTable(epochs.rows)}\n`);
    for (const n of epochs.notes) process.stdout.write(`${n}\n`);
    process.stdout.write('\n');
  }
  const rows: Row[] = [];
  const notes: string[] = [];
  // native twice: fp32 and the mixed_bfloat16 policy (refused, and noted, on a CPU without AVX512-BF16).
  for (const [backend, precision] of [['tensorflow', 'fp32'], ['native', 'fp32'], ['native', 'bf16'], ['wasm', 'fp32']] as const) {
    const label = precision === 'bf16' ? `${backend} bf16` : backend;
    for (const activation of ACTIVATIONS) {
      const args = [CLI, 'bench', '--backend', backend, '--precision', precision, '--activation', activation, '--batch-size', String(BATCH), '--steps', String(steps), '--warmup', String(WARMUP), '--json'];
      const r = runJson(process.execPath, args);
      if (typeof r === 'string') {
        notes.push(`${label}: not measured (${r})`);
        break;
      }
      rows.push({ backend: label, activation, ms: r.ms_per_step as number });
      process.stderr.write(`${label} ${activation}: ${(r.ms_per_step as number).toFixed(1)} ms/step\n`);
    }
  }
  // PyTorch per activation: as the script's model runs by default (NCHW), and in its faster
  // memory format (channels-last here), the stricter reference.
  const torch: Record<string, { standard: number; best: number }> = {};
  const torchPython = pytorchCommand();
  if (torchPython === undefined) {
    notes.push('PyTorch: not measured (no python3 with torch; on Debian: apt-get install python3-torch)');
  } else {
    const python = torchPython.command;
    const r = runJson(python, [PYTORCH_SCRIPT, '--steps', String(steps), '--warmup', String(WARMUP), '--batch', String(BATCH), '--precisions', 'fp32,bf16'], torchPython.env);
    if (typeof r === 'string') notes.push(`PyTorch: failed (${r})`);
    else {
      const results = r.results as Record<string, { ms_per_step: number }>;
      for (const a of ACTIVATIONS) {
        // Keys: activation/format (fp32) and activation/format/bf16 (torch.autocast).
        const of = (bf16: boolean) => Object.entries(results).filter(([key]) => key.split('/')[0] === a && (key.split('/')[2] === 'bf16') === bf16);
        const formats = of(false);
        if (formats.length === 0) continue;
        const standard = results[`${a}/contiguous`]?.ms_per_step ?? Math.min(...formats.map(([, v]) => v.ms_per_step));
        torch[a] = { standard, best: Math.min(...formats.map(([, v]) => v.ms_per_step)) };
        rows.push({ backend: `pytorch (${python}), NCHW`, activation: a, ms: standard });
        rows.push({ backend: `pytorch (${python}), fastest format`, activation: a, ms: torch[a].best });
        const autocast = of(true);
        if (autocast.length > 0) rows.push({ backend: `pytorch (${python}), bf16 autocast, fastest format`, activation: a, ms: Math.min(...autocast.map(([, v]) => v.ms_per_step)) });
      }
    }
  }

  await selectBackend('cpu');
  const flops = trainingStepFlops(buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation: 'relu', seed: 1 }) as tfl.LayersModel, BATCH);
  const peak = peakFlops();
  // The physical floor: the step's arithmetic at the measured peak, what no contender can beat.
  if (peak) rows.push({ backend: 'floor: the step\'s FLOPs at fp32 peak', activation: '-', ms: (flops / peak.flops) * 1000 });
  const floorMs = peak ? (flops / peak.flops) * 1000 : undefined;
  const table = rows.map((r) => {
    const ref = r.backend.startsWith('pytorch') ? undefined : torch[r.activation];
    return [
      r.backend,
      r.activation,
      r.ms,
      (BATCH * 1000) / r.ms,
      ref ? r.ms / ref.standard : null,
      ref ? r.ms / ref.best : null,
      flops / (r.ms / 1000) / 1e9,
      peak ? flops / (r.ms / 1000) / peak.flops : null,
      floorMs ? r.ms / floorMs : null,
    ];
  });
  process.stdout.write(
    `seed-cnn training step, batch ${BATCH}, median of ${steps} steps after ${WARMUP} untimed ones; ${(flops / 1e9).toFixed(2)} GFLOP per step\n\n` +
      formatTable(
        [
          { header: 'backend', align: 'left' },
          { header: 'activation', align: 'left' },
          { header: 'ms/step', format: fixed(1) },
          { header: 'images/s', format: fixed(0) },
          { header: 'x PyTorch', format: fixed(2) },
          { header: 'x fastest', format: fixed(2) },
          { header: 'GFLOP/s', format: fixed(1) },
          { header: 'of peak', format: (v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '') },
          { header: 'x floor', format: fixed(2) },
        ],
        table,
      ) +
      '\n',
  );
  process.stdout.write(
    peak
      ? `\nfp32 peak ${(peak.flops / 1e9).toFixed(0)} GFLOP/s (${peak.how}). x PyTorch: ms/step over PyTorch's NCHW step; x fastest: over its fastest format's; x floor: over the floor row.\n`
      : '\nShare of peak: no native addon to measure it and the CPU reports no clock; set LISHT_CPU_GHZ.\n',
  );
  for (const n of notes) process.stdout.write(`${n}\n`);
}

await main();
