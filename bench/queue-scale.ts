/**
 * The trial queue at scale: N workers on one PostgreSQL server and a spec of many short
 * trials (Iris, MLP, S seeds x 2 activations, 1 epoch). Afterwards every trial must be done,
 * claimed and finished exactly once (no duplicate, none lost); prints the trials claimed per
 * second, from the first claim to the last, as the database recorded them.
 *
 *   npm run build && node dist/bench/queue-scale.js [--workers 16] [--seeds 64] [--mode queue|train] [--db URL]
 *
 * `queue` (default): each worker claims, records an epoch and finishes at once, so the figure
 * is what the queue itself sustains. `train`: real `lisht worker` processes train each trial
 * (wasm). Without --db a private server is started (Debian's PostgreSQL, as the tests do).
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/experiments/open_store.js';
import { parseSpecText, planTrials, specHash } from '../src/experiments/spec.js';
import { startPostgres } from '../test/helpers/postgres.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = join(dirname(HERE), '..', '..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const IRIS = join(ROOT, '../shared/datasets/iris-sklearn.csv');

export interface ScaleOptions {
  /** A PostgreSQL database URL, new or holding no experiment of this name. */
  url: string;
  workers: number;
  seeds: number;
  mode: 'queue' | 'train';
  /** Local Iris data for `train` (default: the shared copy, else the cache). */
  iris?: string;
}

export interface ScaleResult {
  trials: number;
  /** Trials claimed by each worker. */
  perWorker: number[];
  /** Trials finished more than once, and trials never finished. */
  duplicates: number;
  lost: number;
  /** From the first claim to the last, by the runs' start times. */
  claimSeconds: number;
  claimsPerSecond: number;
  wallSeconds: number;
}

const SPEC_NAME = 'queue-scale';

function specText(seeds: number): string {
  return `name: ${SPEC_NAME}\ndatasets: [iris]\nmodels: [{ name: mlp, hiddenUnits: [8] }]\nactivations: [lisht, relu]\nseeds: ${seeds}\nepochs: 1\nbatchSize: 16\nbackend: wasm\n`;
}

/** One `queue` worker: claim, record an epoch, finish, until nothing is left; prints how many it got. */
async function child(url: string, experimentId: number, startAt: number): Promise<void> {
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
  const store = await openStore(url, { reconnectMs: 60_000 });
  const claimant = { pid: process.pid, host: hostname(), pidStart: null, backend: 'none', lishtVersion: 'bench', gitCommit: null };
  let got = 0;
  for (;;) {
    const trial = await store.claimTrial(experimentId, claimant, 60_000);
    if (trial === undefined) break;
    got++;
    await store.recordEpoch(trial, { epoch: 1, loss: 1, accuracy: 0.5, val_loss: 1, val_accuracy: 0.5, seconds: 0 }, 60_000);
    await store.finishTrial(trial, { params: 1, trainCount: 1, testCount: 1, dataSource: 'none', dataPath: 'none', testLoss: 1, testAccuracy: 0.5, classes: [{ name: 'a', support: 1, correct: 1 }], confusion: [[1]], samples: [] }, 60_000);
  }
  await store.close();
  process.stdout.write(`claimed ${got}\n`);
}

function runProcess(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out }));
  });
}

/** Runs the simulation and checks the store afterwards. */
export async function queueScale(options: ScaleOptions): Promise<ScaleResult> {
  const spec = parseSpecText(specText(options.seeds));
  const store = await openStore(options.url);
  let experimentId: number;
  try {
    experimentId = (await store.registerExperiment(spec, specHash(spec), planTrials(spec))).experimentId;
  } finally {
    await store.close();
  }
  const started = performance.now();
  // Every worker starts claiming at once, after all have had time to load.
  const startAt = Date.now() + 2000 + 150 * options.workers;
  const iris = options.iris ?? IRIS;
  const procs = Array.from({ length: options.workers }, () =>
    options.mode === 'queue'
      ? runProcess(process.execPath, [HERE, '--child', options.url, String(experimentId), String(startAt)])
      : runProcess(process.execPath, [CLI, 'worker', '--db', options.url, '--experiment', SPEC_NAME, '--no-gradient-flow', '--data', `iris=${iris}`]),
  );
  const outs = await Promise.all(procs);
  const wallSeconds = (performance.now() - started) / 1000;
  for (const o of outs) if (o.code !== 0) throw new Error(`a worker failed (exit ${o.code}): ${o.out.slice(-2000)}`);
  const perWorker = outs.map((o) => Number(/claimed (\d+)/.exec(o.out)?.[1] ?? /Worker done: (\d+) trials/.exec(o.out)?.[1] ?? NaN));

  const check = await openStore(options.url, { readonly: true });
  try {
    const trials = await check.trials(experimentId);
    const runs = await check.runs(trials.map((t) => t.id));
    let duplicates = 0;
    let lost = 0;
    const starts: number[] = [];
    for (const t of trials) {
      const done = (runs.get(t.id) ?? []).filter((r) => r.outcome === 'done');
      if (done.length > 1 || (runs.get(t.id) ?? []).length > 1) duplicates++;
      if (t.status !== 'done' || done.length === 0) lost++;
      for (const r of runs.get(t.id) ?? []) starts.push(Date.parse(r.startedAt));
    }
    const claimSeconds = starts.length > 1 ? (Math.max(...starts) - Math.min(...starts)) / 1000 : NaN;
    return { trials: trials.length, perWorker, duplicates, lost, claimSeconds, claimsPerSecond: (starts.length - 1) / claimSeconds, wallSeconds };
  } finally {
    await check.close();
  }
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const workers = Number(flag('workers', '16'));
  const seeds = Number(flag('seeds', '64'));
  const mode = flag('mode', 'queue') as ScaleOptions['mode'];
  const given = flag('db', '');
  const server = given === '' ? await startPostgres() : undefined;
  try {
    const url = given !== '' ? given : await server!.createDatabase(`scale_${Date.now()}`);
    const r = await queueScale({ url, workers, seeds, mode });
    process.stdout.write(
      `queue-scale (${mode}): ${workers} workers, ${r.trials} trials (${seeds} seeds x 2 activations, 1 epoch) on PostgreSQL\n` +
        `  trials per worker: ${r.perWorker.join(' ')}\n` +
        `  duplicates: ${r.duplicates}, lost: ${r.lost}\n` +
        `  ${r.claimsPerSecond.toFixed(1)} trials claimed per second (${r.trials} claims in ${r.claimSeconds.toFixed(2)} s; ${r.wallSeconds.toFixed(1)} s wall, process start-up included)\n`,
    );
    if (r.duplicates > 0 || r.lost > 0) process.exitCode = 1;
  } finally {
    await server?.remove();
  }
}

if (process.argv[1] === HERE) {
  if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
  else await main();
}
