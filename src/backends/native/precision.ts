/**
 * The precision policy of the native backend, with Keras's names: `float32` (the default) or
 * `mixed_bfloat16`, where convolutions and matrix products round their inputs to bfloat16 and
 * accumulate in float32 inside oneDNN, while weights, optimizer state, the loss and every
 * tensor TensorFlow.js sees stay float32 (master weights). The command line calls the two
 * `fp32` and `bf16` (`--precision`).
 */
import { EXIT } from '../../exit_codes.js';
import { UserError } from '../../errors.js';
import { loadNativeAddon } from './addon.js';
import { NATIVE_BACKEND } from './kernels/util.js';

/** Keras's policy names (`keras.mixed_precision.set_global_policy`). */
export const PRECISION_POLICIES = ['float32', 'mixed_bfloat16'] as const;
export type PrecisionPolicy = (typeof PRECISION_POLICIES)[number];

/** The command line's and the specs' names of the same policies. */
export const PRECISIONS = ['fp32', 'bf16'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** The policy a `--precision` value names. */
export function policyFor(precision: Precision): PrecisionPolicy {
  return precision === 'bf16' ? 'mixed_bfloat16' : 'float32';
}

/**
 * Set by `--allow-emulated-bf16` so that `lisht run`'s worker processes inherit it; the
 * `allowEmulated` option overrides it.
 */
export const ALLOW_EMULATED_ENV = 'LISHT_ALLOW_EMULATED_BF16';

export interface PrecisionOptions {
  /**
   * Accept `mixed_bfloat16` on a CPU without AVX512-BF16: oneDNN then emulates bf16 (same
   * rounding, usually slower than float32). Default: `LISHT_ALLOW_EMULATED_BF16=1`.
   */
  allowEmulated?: boolean;
}

let current: PrecisionPolicy = 'float32';

/**
 * What this CPU lacks for bf16 in hardware, or `undefined` when oneDNN runs bf16 natively
 * (its effective ISA includes avx512_core_bf16). `LISHT_SIMULATE_NO_BF16=1`, read when the
 * addon loads, makes it answer as on a CPU without the instructions.
 */
export function bf16Missing(): string | undefined {
  const addon = loadNativeAddon();
  if (addon.bf16Support().native) return undefined;
  const { isa } = addon.info();
  return `this CPU has no AVX512-BF16 instructions (cpuid flag avx512_bf16) for oneDNN to use: its instruction set here is ${isa}, bf16 needs avx512_core_bf16 or above`;
}

/**
 * Sets the process-wide precision policy of the native backend (it applies to the native
 * kernels only; other backends always compute in float32). `mixed_bfloat16` throws a
 * `UserError` (exit code UNAVAILABLE) naming what is missing when the CPU has no bf16
 * instructions, unless `allowEmulated`: it never falls back to float32 silently.
 */
export function setPrecisionPolicy(policy: PrecisionPolicy, options: PrecisionOptions = {}): void {
  if (!(PRECISION_POLICIES as readonly string[]).includes(policy)) {
    throw new UserError(`unknown precision policy '${policy}'; choose one of ${PRECISION_POLICIES.join(', ')}`);
  }
  const addon = loadNativeAddon();
  if (policy === 'mixed_bfloat16') {
    if (!allowsEmulated(options)) refuseWithoutBf16();
  }
  addon.setPrecision(policy === 'mixed_bfloat16');
  current = policy;
}

/** The policy set by `setPrecisionPolicy` (`float32` until then). */
export function getPrecisionPolicy(): PrecisionPolicy {
  return current;
}

/**
 * Applies a `--precision` value for a run on `backend` (the one `selectBackend` started):
 * bf16 runs on the native backend only, and is refused as `setPrecisionPolicy` refuses it.
 */
export function applyPrecision(precision: Precision, backend: string, options: PrecisionOptions = {}): void {
  if (precision === 'bf16' && backend !== NATIVE_BACKEND) {
    throw new UserError(`--precision bf16 runs on the native backend only; this run's backend is '${backend}' (use --backend native)`);
  }
  if (backend !== NATIVE_BACKEND) return;
  setPrecisionPolicy(policyFor(precision), options);
}

/**
 * Checks a `--precision` request before anything starts (data loading, workers): bf16 needs
 * `--backend native` (or `auto`, which must then pick native) and, unless emulation is
 * allowed, a CPU with bf16 instructions. Throws the `UserError` `setPrecisionPolicy` would.
 */
export function checkPrecisionRequest(precision: Precision, backendChoice: string, options: PrecisionOptions = {}): void {
  if (precision !== 'bf16') return;
  if (backendChoice !== NATIVE_BACKEND && backendChoice !== 'auto') {
    throw new UserError(`--precision bf16 runs on the native backend only, not '${backendChoice}' (use --backend native)`);
  }
  if (allowsEmulated(options)) loadNativeAddon();
  else refuseWithoutBf16();
}

function allowsEmulated(options: PrecisionOptions): boolean {
  return options.allowEmulated ?? process.env[ALLOW_EMULATED_ENV] === '1';
}

/** Throws the refusal (exit code UNAVAILABLE) when this CPU has no bf16 instructions. */
function refuseWithoutBf16(): void {
  const missing = bf16Missing();
  if (missing === undefined) return;
  throw new UserError(
    `bf16 precision (--precision bf16, mixed_bfloat16) refused: ${missing}. Pass --allow-emulated-bf16 (library: { allowEmulated: true }) ` +
      "to run oneDNN's emulated bf16, which rounds alike but is usually slower than fp32, or use --precision fp32",
    EXIT.UNAVAILABLE,
  );
}
