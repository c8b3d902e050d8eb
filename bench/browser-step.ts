/**
 * One training step of the seed CNN (batch 100) in headless Chromium, served by the
 * playground's own server (cross-origin isolated): `wasm` single-threaded and threaded, each
 * with and without this project's wasm training kernels, and `webgl` on SwiftShader (a CPU
 * rasteriser: not a GPU figure), beside Node's `native` and `wasm` steps (`lisht bench`).
 *
 *   npm run build && node dist/bench/browser-step.js [--steps 10] [--warmup 3] [--activation relu,lisht]
 *
 * Every configuration gets its own page (one backend per page); the figure is the median of
 * the timed steps, as `lisht bench` reports it. Without the project's kernels the stock wasm
 * backend lacks Conv2DBackpropFilter: that row says it cannot train rather than giving a time.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startPlaygroundServer } from '../src/playground/server.js';
import { formatTable, fixed } from '../src/reports/table.js';
import type { BenchResult } from '../src/training/bench.js';
import type { PlaygroundApi } from '../src/playground/web/main.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '100' },
    activation: { type: 'string', default: 'relu,lisht' },
  },
});
const steps = Number(opts.steps);
const warmup = Number(opts.warmup);
const batchSize = Number(opts.batch);
const activations = opts.activation!.split(',');

/** TensorFlow.js's wasm thread pool: half the cores, at most 4. */
const THREADS = Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));

interface Config {
  label: string;
  query: string;
}

const CONFIGS: Config[] = [
  { label: 'wasm, 1 thread, lisht kernels', query: 'backend=wasm&threads=0&kernels=1' },
  { label: 'wasm, 1 thread, stock kernels', query: 'backend=wasm&threads=0&kernels=0' },
  { label: `wasm, threaded (${THREADS} thread${THREADS > 1 ? 's' : ''}), lisht kernels`, query: 'backend=wasm&threads=auto&kernels=1' },
  { label: 'wasm, threaded, stock kernels', query: 'backend=wasm&threads=auto&kernels=0' },
  { label: 'webgl on SwiftShader (CPU rasteriser)', query: 'backend=webgl' },
];

type Row = [string, string, number | string, number | string];

async function browserRows(): Promise<Row[]> {
  const server = await startPlaygroundServer({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  const rows: Row[] = [];
  try {
    for (const config of CONFIGS) {
      for (const activation of activations) {
        const page = await browser.newPage();
        try {
          await page.goto(`${server.url}?${config.query}`);
          await page.waitForFunction('globalThis.playground?.ready === true', undefined, { timeout: 60_000 });
          const started = await page.evaluate(() => (globalThis as unknown as { playground: PlaygroundApi }).playground.backend?.description ?? 'none');
          const r = await page
            .evaluate((o) => (globalThis as unknown as { playground: PlaygroundApi }).playground.bench(o), { activation, batchSize, steps, warmup })
            .catch((err: Error) => err.message.split('\n')[0]);
          const label = `Chromium: ${config.label}`;
          if (typeof r === 'string') rows.push([label, activation, `cannot train: ${r.replace(/^.*?Error: /, '')}`, '']);
          else rows.push([label, activation, (r as BenchResult).ms_per_step, (r as BenchResult).images_per_sec]);
          process.stderr.write(`${label} [${started}] ${activation}: ${typeof r === 'string' ? r : `${r.ms_per_step.toFixed(1)} ms/step`}\n`);
        } finally {
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}

function nodeRows(): Row[] {
  const rows: Row[] = [];
  for (const backend of ['native', 'wasm']) {
    for (const activation of activations) {
      const r = spawnSync(process.execPath, [CLI, 'bench', '--backend', backend, '--activation', activation, '--batch-size', String(batchSize), '--steps', String(steps), '--warmup', String(warmup), '--json'], { encoding: 'utf8' });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        rows.push([`Node: ${backend}`, activation, `not measured: ${(r.stderr || line).trim().split('\n').pop()}`, '']);
        continue;
      }
      const j = JSON.parse(line) as BenchResult;
      rows.push([`Node: ${backend}`, activation, j.ms_per_step, j.images_per_sec]);
    }
  }
  return rows;
}

const rows = [...(await browserRows()), ...nodeRows()];
process.stdout.write(
  `seed-cnn training step, batch ${batchSize}, median of ${steps} steps after ${warmup} untimed ones\n\n` +
    formatTable(
      [
        { header: 'where', align: 'left' },
        { header: 'activation', align: 'left' },
        { header: 'ms/step', format: (v) => (typeof v === 'number' ? fixed(1)(v) : String(v)) },
        { header: 'images/s', format: (v) => (typeof v === 'number' ? fixed(0)(v) : String(v)) },
      ],
      rows,
    ) +
    '\nwebgl here is SwiftShader, a CPU rasteriser: a correctness path, not a GPU speed.\n' +
    'Threads: TensorFlow.js sizes its wasm thread pool to half the cores, at most 4.\n',
);
