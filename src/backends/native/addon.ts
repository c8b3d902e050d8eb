/**
 * Loading the `lisht_native` addon: the prebuilt one the package carries for this platform
 * (prebuilds/linux-x64/, oneDNN beside it, found through the addon's `$ORIGIN` run path) first,
 * then build/Release/lisht_native.node, which the install step compiles against the system
 * oneDNN when no prebuilt one loads and oneDNN's headers are present.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.js';

/** Activation fused into a convolution or matrix product: 0 none, 1 ReLU. */
export type FusedAct = 0 | 1;

/** Activation applied before max pooling: 0 identity, 1 ReLU, 2 LiSHT. */
export type PoolAct = 0 | 1 | 2;

/**
 * The addon's functions. Every array argument is used in place (no copies); outputs are
 * written into caller-allocated Float32Arrays. The geometry arrays' layouts are documented in
 * native/conv_geom.h (17 values) and native/pool.cc (12 values).
 */
export interface NativeAddon {
  info(): { dnnl: string; isa: string; threads: number };
  setNumThreads(n: number): void;
  getNumThreads(): number;
  conv2dForward(x: Float32Array, filter: Float32Array, bias: Float32Array | null, y: Float32Array, geom: Int32Array, act: FusedAct): boolean;
  conv2dBackwardData(dy: Float32Array, filter: Float32Array, dx: Float32Array, geom: Int32Array): boolean;
  conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, dbias: Float32Array | null, geom: Int32Array): boolean;
  conv2dImpl(geom: Int32Array): { forward: string | null; backwardData: string | null; backwardFilter: string | null };
  maxPool(x: Float32Array, y: Float32Array, geom: Int32Array, act?: PoolAct): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geom: Int32Array, act?: PoolAct): void;
  /** out[b * rowSize + i] = rows[index[b] * rowSize + i] * scale. */
  imageBatch(rows: Uint8Array, rowSize: number, index: Int32Array, scale: number, out: Float32Array): void;
  matmul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    bias: Float32Array | null,
    act: FusedAct,
  ): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, perRow?: boolean): void;
  softmax(logits: Float32Array, y: Float32Array, cols: number): void;
  unary(op: number, x: Float32Array, y: Float32Array, alpha?: number): void;
  lisht(x: Float32Array, y: Float32Array): void;
  lishtGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  sumLeading(x: Float32Array, out: Float32Array): void;
  sumTrailing(x: Float32Array, out: Float32Array): void;
  /** Per channel (the last axis): the mean and the biased variance. */
  batchNormStats(x: Float32Array, mean: Float32Array, variance: Float32Array): void;
  /** y = (x - center) * scale + shift per channel. */
  batchNormAffine(x: Float32Array, center: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array): void;
  /** Per channel: sums[0..c) = sum(dy), sums[c..2c) = sum(dy * (x - mean) * invstd). */
  batchNormGradSums(dy: Float32Array, x: Float32Array, mean: Float32Array, invstd: Float32Array, sums: Float32Array): void;
  /** dx = a * dy + p * (x - center) + q per channel. */
  batchNormBackward(dy: Float32Array, x: Float32Array, center: Float32Array, a: Float32Array, p: Float32Array, q: Float32Array, dx: Float32Array): void;
  adamUpdate(
    value: Float32Array,
    m: Float32Array,
    v: Float32Array,
    gradient: Float32Array,
    valueOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    negLearningRate: number,
    epsilon: number,
    oneMinusAccBeta1: number,
    oneMinusAccBeta2: number,
  ): void;
  /** accumulation' = momentum * accumulation + gradient; value' = negLearningRate * accumulation' + value. */
  momentumUpdate(
    value: Float32Array,
    accumulation: Float32Array,
    gradient: Float32Array,
    valueOut: Float32Array,
    accumulationOut: Float32Array,
    momentum: number,
    negLearningRate: number,
  ): void;
  /** Convolutions and matrix products in bf16 (fp32 accumulation and outputs) when true. */
  setPrecision(bf16: boolean): void;
  /** native: oneDNN runs bf16 in hardware here; cpuFlag: cpuid reports avx512_bf16. */
  bf16Support(): { native: boolean; cpuFlag: boolean };
  /** y = x rounded to bf16 and back, as the bf16 kernels round their inputs. */
  toBf16Roundtrip(x: Float32Array, y: Float32Array): void;
  /** FP32 multiply-add throughput of `threads` threads (default all) on register-resident data (GFLOP/s). */
  measurePeakGflops(iterations?: number, threads?: number): { gflops: number; threads: number };
}

/** The package root, from dist/src/backends/native/. */
const PACKAGE_ROOT = new URL('../../../../', import.meta.url);

/**
 * Where the addon may be, in the order tried: the prebuilt one for this platform and
 * architecture (scripts/prebuild-native.mjs writes it at pack time), then the local build.
 */
export function addonCandidates(root: string = fileURLToPath(PACKAGE_ROOT)): string[] {
  return [join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'lisht_native.node'), join(root, 'build', 'Release', 'lisht_native.node')];
}

const HOW_TO_GET_IT =
  "The 'native' backend is a C++ addon on oneDNN: the package carries it prebuilt for Linux x64 " +
  '(glibc 2.34 or later); elsewhere it is built at install time against the system oneDNN. ' +
  "Install oneDNN's development package (Debian/Ubuntu: `apt-get install libdnnl-dev`), then " +
  'rebuild it with `npm run build:native` (or reinstall this package).';

/**
 * OpenMP's wait policy, which libgomp reads once, when the addon loads it. Passive: idle pool
 * threads sleep at once instead of spinning. On a machine shared with other busy processes a
 * spinning thread holds a core that the thread everyone is waiting for needs, and a step can
 * take several times longer (measured: 2-8x on this project's 2-core machine); on an idle
 * machine passive costs little (see bench/native-step.ts). OMP_WAIT_POLICY or GOMP_SPINCOUNT
 * set by the user win.
 */
const DEFAULT_WAIT_POLICY = 'PASSIVE';

/** Loads the addon at `path`, or says why it cannot be loaded (naming the package to install). */
export function openAddon(path: string): { addon: NativeAddon } | { reason: string } {
  if (!existsSync(path)) return { reason: `the native addon is not built (${path} is missing). ${HOW_TO_GET_IT}` };
  const setPolicy = process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined;
  if (setPolicy) process.env.OMP_WAIT_POLICY = DEFAULT_WAIT_POLICY;
  try {
    return { addon: createRequire(import.meta.url)(path) as NativeAddon };
  } catch (err) {
    // Typically libdnnl.so.2 removed after the build.
    return { reason: `the native addon failed to load: ${(err as Error).message.split('\n')[0]}. ${HOW_TO_GET_IT}` };
  } finally {
    // Read by now; child processes keep the environment they would have had.
    if (setPolicy) delete process.env.OMP_WAIT_POLICY;
  }
}

let opened: ReturnType<typeof openAddon> | undefined;

/**
 * The first candidate that loads. When none does, the reason of the local build (what a user
 * can act on), after the prebuilt one's when it exists but failed (another libc, say).
 */
export function openFirstAddon(paths: string[]): ReturnType<typeof openAddon> {
  const reasons: string[] = [];
  for (const path of paths) {
    const r = openAddon(path);
    if ('addon' in r) return r;
    if (path === paths.at(-1)) reasons.push(r.reason);
    else if (existsSync(path)) reasons.push(`${r.reason.replace(` ${HOW_TO_GET_IT}`, '')} (the prebuilt addon, ${path});`);
  }
  return { reason: reasons.join(' ') };
}

function tryLoad(): NativeAddon | undefined {
  opened ??= openFirstAddon(addonCandidates());
  return 'addon' in opened ? opened.addon : undefined;
}

/**
 * The loaded addon. Throws a `UserError` that names `libdnnl-dev` when it was not built or
 * cannot load here.
 */
export function loadNativeAddon(): NativeAddon {
  const addon = tryLoad();
  if (addon === undefined) throw new UserError(nativeAddonUnavailableReason()!);
  return addon;
}

/** Why the addon is unavailable, or `undefined` when it loads. */
export function nativeAddonUnavailableReason(): string | undefined {
  tryLoad();
  return opened !== undefined && 'reason' in opened ? opened.reason : undefined;
}
