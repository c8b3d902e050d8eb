/**
 * Side by side, in one run: ms per seed-cnn training step (batch 100) on the `native` backend,
 * as tfjs-layers alone runs the Keras model and as the project's `trainStep` does (fused
 * Conv2D + MaxPool pairs, one-kernel Adam), in fp32 and under the mixed_bfloat16 policy (where
 * the CPU has AVX512-BF16), against PyTorch (fp32, and bf16 under torch.autocast) on
 * the same machine (`bench/pytorch_seed_cnn.py`, when python3 with torch is found). Rounds
 * alternate the contenders so machine load hits all of them alike; figures are medians.
 *
 *   node dist/bench/native-step.js [--steps 20] [--rounds 3] [--batch 100] [--profile] [--no-torch]
 *
 * `--profile` adds a per-kernel table of one step for each native contender.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '../src/register.js';
import { bf16Missing, loadNativeAddon, nativeAddonUnavailableReason, registerNativeBackend, setPrecisionPolicy, type PrecisionPolicy } from '../src/backends/native/index.js';
import { getModel } from '../src/models/registry.js';
import { sparseCategoricalCrossentropy } from '../src/training/losses.js';
import { ADAM_EPSILON, createAdam } from '../src/training/optimizers.js';
import { median } from '../src/training/bench.js';
import { trainableVariables, trainStep } from '../src/training/fit.js';
import { trainingStepFlops } from '../src/training/flops.js';
import { machineLine } from './machine.js';
import { peakFlops } from './peak.js';
import { pytorchCommand } from './pytorch.js';

const ACTIVATIONS = ['relu', 'lisht'] as const;
const TORCH_PLAIN = 'PyTorch (NCHW, OMP default)';
const TORCH_BEST = 'PyTorch (fastest config)';
const TORCH_BF16 = 'PyTorch bf16 autocast (fastest)';
type Activation = (typeof ACTIVATIONS)[number];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const STEPS = option('steps', 20);
const ROUNDS = option('rounds', 3);
const BATCH = option('batch', 100);
const WARMUP = 10;
const PROFILE = process.argv.includes('--profile');
const TORCH = !process.argv.includes('--no-torch');


const seedCnn = (activation: Activation) => getModel('seed-cnn').build({ inputShape: [32, 32, 3], numClasses: 10, activation, seed: 1 });

/** A step as tfjs-layers alone runs it: `model.apply` layer by layer, tfjs's Adam of element-wise ops. */
async function unfusedStep(model: tfl.LayersModel, optimizer: tf.Optimizer, vars: tf.Variable[], x: tf.Tensor, y: tf.Tensor1D): Promise<void> {
  const loss = optimizer.minimize(() => sparseCategoricalCrossentropy(model.apply(x, { training: true }) as tf.Tensor, y), true, vars)!;
  await loss.data();
  loss.dispose();
}

interface Contender {
  name: string;
  /** Default float32. */
  policy?: PrecisionPolicy;
  optimizer(): tf.Optimizer;
  step(model: tfl.LayersModel, optimizer: tf.Optimizer, vars: tf.Variable[], x: tf.Tensor, y: tf.Tensor1D): Promise<unknown>;
}

/** The same Keras seed-cnn both ways. */
const CONTENDERS: Contender[] = [
  { name: 'native, tfjs-layers unfused', optimizer: () => tf.train.adam(0.001, 0.9, 0.999, ADAM_EPSILON), step: unfusedStep },
  { name: 'native, lisht trainStep', optimizer: createAdam, step: trainStep },
];
/** Added where the CPU runs bf16 in hardware. */
const BF16_CONTENDER: Contender = { name: 'native, lisht trainStep, bf16', policy: 'mixed_bfloat16', optimizer: createAdam, step: trainStep };

/** Deterministic batch in [0, 1) and labels. */
function batch(): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const n = BATCH * 32 * 32 * 3;
  const xs = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    xs[i] = s / 2 ** 32;
  }
  const ys = Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 10);
  return { x: tf.tensor4d(xs, [BATCH, 32, 32, 3]), y: tf.tensor1d(ys, 'int32') };
}

/** Per-step times of `steps` steps after WARMUP untimed ones, each on a fresh model and optimizer. */
async function timeSteps(c: Contender, activation: Activation, steps: number, onStep?: (i: number) => void): Promise<number[]> {
  setPrecisionPolicy(c.policy ?? 'float32');
  const model = seedCnn(activation);
  const optimizer = c.optimizer();
  const vars = trainableVariables(model);
  const { x, y } = batch();
  const times: number[] = [];
  try {
    for (let i = 0; i < WARMUP + steps; i++) {
      if (i === WARMUP) onStep?.(i);
      const t0 = performance.now();
      await c.step(model, optimizer, vars, x, y);
      if (i >= WARMUP) times.push(performance.now() - t0);
    }
  } finally {
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
    setPrecisionPolicy('float32');
  }
  return times;
}


/**
 * PyTorch's per-step times by activation: as the script's model runs by default (NCHW, OpenMP
 * threads spinning) and in the fastest of its configurations here (NCHW or channels-last,
 * spinning or passive threads, the native backend's default).
 */
function torchRound(
  py: { command: string; env: NodeJS.ProcessEnv },
  threads: number,
): Record<Activation, { plain: number[]; best: number[]; bestConfig: string; bf16: number[]; bf16Config: string }> {
  const script = fileURLToPath(new URL('../../bench/pytorch_seed_cnn.py', import.meta.url));
  const runs: Array<{ act: string; bf16: boolean; config: string; plain: boolean; ms: number; times: number[] }> = [];
  for (const policy of ['default', 'PASSIVE']) {
    const env = { ...py.env };
    delete env.OMP_WAIT_POLICY;
    if (policy !== 'default') env.OMP_WAIT_POLICY = policy;
    const args = [script, '--steps', String(STEPS), '--warmup', String(WARMUP), '--batch', String(BATCH), '--threads', String(threads), '--precisions', 'fp32,bf16'];
    const r = spawnSync(py.command, args, { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { results: Record<string, { ms_per_step: number; times_ms: number[] }> };
    for (const [key, v] of Object.entries(out.results)) {
      const [act, format, precision] = key.split('/') as [string, string, string | undefined];
      const bf16 = precision === 'bf16';
      runs.push({ act, bf16, config: `${format}, OMP ${policy}`, plain: !bf16 && format === 'contiguous' && policy === 'default', ms: v.ms_per_step, times: v.times_ms });
    }
  }
  const pick = (act: Activation) => {
    const fastest = (bf16: boolean) => runs.filter((x) => x.act === act && x.bf16 === bf16).sort((a, b) => a.ms - b.ms)[0]!;
    const best = fastest(false);
    const bf16 = fastest(true);
    return { plain: runs.find((x) => x.act === act && x.plain)!.times, best: best.times, bestConfig: best.config, bf16: bf16.times, bf16Config: bf16.config };
  };
  return { relu: pick('relu'), lisht: pick('lisht') };
}

/**
 * Wraps every `native` kernel to record its own time per call, by name and input shapes. A
 * kernel's figure is its median call time times its calls per step (medians keep the
 * preemptions of a shared machine out).
 */
function profileKernels(): { table: Map<string, { times: number[] }>; reset(): void } {
  const table = new Map<string, { times: number[] }>();
  for (const config of tf.getKernelsForBackend('native')) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, 'native');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const t0 = performance.now();
        const out = inner(args);
        const ms = performance.now() - t0;
        const shapes = Object.values(args.inputs)
          .filter((t): t is tf.TensorInfo => t != null)
          .map((t) => `[${t.shape.join(',')}]`)
          .join(' ');
        const key = `${config.kernelName} ${shapes}`;
        const e = table.get(key) ?? { times: [] };
        e.times.push(ms);
        table.set(key, e);
        return out;
      },
    });
  }
  return { table, reset: () => table.clear() };
}

async function main(): Promise<void> {
  const reason = nativeAddonUnavailableReason();
  if (reason !== undefined) {
    console.log(`native backend unavailable: ${reason}`);
    return;
  }
  registerNativeBackend();
  tf.env().set('PROD', true);
  await tf.setBackend('native');
  const addon = loadNativeAddon();
  const info = addon.info();
  const peak = peakFlops()!;
  const py = TORCH ? pytorchCommand() : undefined;
  console.log(machineLine());
  console.log(`oneDNN ${info.dnnl} (${info.isa}), ${info.threads} threads; fp32 peak ${(peak.flops / 1e9).toFixed(0)} GFLOP/s (${peak.how}); batch ${BATCH}; ${ROUNDS} rounds x ${STEPS} steps`);
  if (TORCH && py === undefined) console.log('PyTorch: no python3 with torch found, skipped');
  else if (py !== undefined) console.log(`PyTorch ${spawnSync(py.command, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', env: py.env }).stdout.trim()} (${py.command}), ${info.threads} threads`);

  const bf16Reason = bf16Missing();
  const contenders = bf16Reason === undefined ? [...CONTENDERS, BF16_CONTENDER] : CONTENDERS;
  if (bf16Reason !== undefined) console.log(`bf16 rows left out: ${bf16Reason}`);
  const times = new Map<string, number[]>();
  const torchConfigs = new Set<string>();
  const add = (key: string, t: number[]) => times.set(key, [...(times.get(key) ?? []), ...t]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const act of ACTIVATIONS) for (const c of contenders) add(`${c.name}|${act}`, await timeSteps(c, act, STEPS));
    if (py !== undefined) {
      const t = torchRound(py, info.threads);
      for (const act of ACTIVATIONS) {
        add(`${TORCH_PLAIN}|${act}`, t[act].plain);
        add(`${TORCH_BEST}|${act}`, t[act].best);
        add(`${TORCH_BF16}|${act}`, t[act].bf16);
        torchConfigs.add(`${act}: ${t[act].bestConfig}`);
        torchConfigs.add(`${act} bf16: ${t[act].bf16Config}`);
      }
    }
  }

  const flopsModel = seedCnn('relu');
  const flops = trainingStepFlops(flopsModel, BATCH);
  flopsModel.dispose();
  const ref = (name: string, act: Activation) => (times.has(`${name}|${act}`) ? median(times.get(`${name}|${act}`)!) : undefined);
  const ratio = (ms: number, r: number | undefined) => (r === undefined ? '' : `${(ms / r).toFixed(2)}x`);
  console.log('');
  console.log(
    [
      'contender'.padEnd(34),
      'act'.padEnd(6),
      'ms/step'.padStart(8),
      'img/s'.padStart(7),
      'vs PyTorch'.padStart(11),
      'vs best'.padStart(8),
      'vs pt bf16'.padStart(10),
      'vs fp32'.padStart(9),
      '% peak'.padStart(7),
    ].join(' '),
  );
  for (const [key, t] of times) {
    const [name, act] = key.split('|') as [string, Activation];
    const ms = median(t);
    const pct = ((flops / (ms / 1000) / peak.flops) * 100).toFixed(1);
    const row = [name.padEnd(34), act.padEnd(6), ms.toFixed(1).padStart(8), ((BATCH * 1000) / ms).toFixed(0).padStart(7)];
    const fp32 = ref('native, lisht trainStep', act);
    row.push(ratio(ms, ref(TORCH_PLAIN, act)).padStart(11), ratio(ms, ref(TORCH_BEST, act)).padStart(8), ratio(ms, ref(TORCH_BF16, act)).padStart(10), ratio(ms, fp32).padStart(9), pct.padStart(7));
    console.log(row.join(' '));
  }
  console.log(`(% peak: ${(flops / 1e9).toFixed(2)} GFLOP per step over the fp32 peak; ratios: ms/step over PyTorch's as its script runs by default, over its fastest fp32 configuration, over its fastest bf16 autocast one, and over the native fp32 trainStep)`);
  if (torchConfigs.size > 0) console.log(`(PyTorch fastest, per round: ${[...torchConfigs].join('; ')})`);
  console.log(`(native: OpenMP wait policy ${process.env.OMP_WAIT_POLICY ?? (process.env.GOMP_SPINCOUNT ? 'GOMP_SPINCOUNT=' + process.env.GOMP_SPINCOUNT : 'PASSIVE (default)')})`);

  if (PROFILE) {
    const prof = profileKernels();
    for (const act of ACTIVATIONS) {
      for (const c of contenders) {
        const steps = 10;
        let stepMs = 0;
        const t = await timeSteps(c, act, steps, () => prof.reset());
        stepMs = median(t);
        const rows = [...prof.table].map(([k, v]) => [k, (median(v.times) * v.times.length) / steps, v.times.length / steps] as const).sort((a, b) => b[1] - a[1]);
        const kernelMs = rows.reduce((s, r) => s + r[1], 0);
        console.log(`\nper-kernel profile, ${c.name}, ${act}: step ${stepMs.toFixed(2)} ms (median), kernels ${kernelMs.toFixed(2)} ms in ${rows.reduce((s, r) => s + r[2], 0).toFixed(0)} calls, outside kernels ${(stepMs - kernelMs).toFixed(2)} ms (median call time x calls)`);
        for (const [k, ms, calls] of rows) if (ms >= 0.02) console.log(`  ${ms.toFixed(3).padStart(7)} ms ${calls.toFixed(0).padStart(4)}x  ${k}`);
      }
    }
  }
}

await main();
