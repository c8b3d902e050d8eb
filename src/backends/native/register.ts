/**
 * Registering the `native` backend with TensorFlow.js: every kernel the `cpu` backend has,
 * with the accelerated ones replaced.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerLishtKernels } from '../../activations/register_kernels.js';
import { loadNativeAddon, nativeAddonUnavailableReason } from './addon.js';
import { NativeBackend } from './backend.js';
import { batchNormConfig } from './kernels/batch_norm.js';
import { convConfigs } from './kernels/conv.js';
import { elementwiseConfigs } from './kernels/elementwise.js';
import { imageBatchConfig } from './kernels/image_batch.js';
import { layoutConfigs } from './kernels/layout.js';
import { matmulConfigs } from './kernels/matmul.js';
import { poolConfigs } from './kernels/pool.js';
import { reduceConfigs } from './kernels/reduce.js';
import { NATIVE_BACKEND } from './kernels/util.js';
import { fusedKernelConfigs } from './fused/kernels.js';
import { adamUpdateConfig } from './adam.js';
import { momentumUpdateConfig } from './momentum.js';

/** Below `cpu` (1) and `wasm` (2): TF.js never picks it on its own, only `setBackend('native')`. */
const PRIORITY = -1;

/** The kernels `native` runs through the addon (each falls back to cpu for cases it declines). */
export const NATIVE_KERNEL_CONFIGS: readonly tf.KernelConfig[] = [
  ...convConfigs,
  ...poolConfigs,
  ...matmulConfigs,
  ...elementwiseConfigs,
  ...layoutConfigs,
  ...reduceConfigs,
  batchNormConfig,
  imageBatchConfig,
  ...fusedKernelConfigs,
  adamUpdateConfig,
  momentumUpdateConfig,
];

const ownNames = new Set(NATIVE_KERNEL_CONFIGS.map((c) => c.kernelName));

/**
 * Copies cpu kernels that `native` lacks. Run at registration and again when the backend is
 * created, so cpu kernels registered in between (by this package or others) are picked up.
 */
function copyCpuKernels(): void {
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (ownNames.has(config.kernelName) || tf.getKernel(config.kernelName, NATIVE_BACKEND) !== undefined) continue;
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND });
  }
}

let registered = false;

/**
 * Registers the `native` backend (oneDNN addon) if the addon loads here. Returns `false`, and
 * registers nothing, when it does not: `loadNativeAddon()` then throws an error that says why
 * and names the package to install. Idempotent.
 */
export function registerNativeBackend(): boolean {
  if (registered) return true;
  if (nativeAddonUnavailableReason() !== undefined) return false;
  const addon = loadNativeAddon();
  // The cpu Lisht kernels must be there to be copied as the fallback of the native ones.
  registerLishtKernels();
  for (const config of NATIVE_KERNEL_CONFIGS) {
    // Ours win over any copy made earlier (e.g. the Lisht kernels of another module instance).
    if (tf.getKernel(config.kernelName, NATIVE_BACKEND) !== undefined) tf.unregisterKernel(config.kernelName, NATIVE_BACKEND);
    tf.registerKernel(config);
  }
  copyCpuKernels();
  tf.registerBackend(
    NATIVE_BACKEND,
    () => {
      copyCpuKernels();
      return new NativeBackend(addon);
    },
    PRIORITY,
  );
  registered = true;
  return true;
}

/**
 * Registers the `native` backend or throws the `UserError` that says why it cannot be (the
 * addon was not built: install `libdnnl-dev`, then `npm run build:native`). For `--backend native`.
 */
export function requireNativeBackend(): void {
  if (!registerNativeBackend()) loadNativeAddon();
}

/** oneDNN version, the instruction set it dispatches to, and the thread count. */
export function nativeBackendInfo(): { dnnl: string; isa: string; threads: number } {
  return loadNativeAddon().info();
}

/**
 * Sets the threads the native kernels use (oneDNN and the addon's loops share one OpenMP
 * pool). The default is `LISHT_NUM_THREADS` when set, else one per core.
 */
export function setNativeThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`thread count must be a positive integer, got ${n}`);
  loadNativeAddon().setNumThreads(n);
}
