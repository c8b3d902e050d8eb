/**
 * The `Lisht` and `LishtGrad` kernels for every backend this package knows, and the gradient of
 * `Lisht`. `src/register.ts` registers them.
 */
import { getGradient, getKernel, registerGradient, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { lishtCpuConfig, lishtGradCpuConfig } from './kernels/lisht_cpu.js';
import { lishtWasmConfig, lishtGradWasmConfig } from './kernels/lisht_wasm.js';
import { compositeLishtConfigs } from './kernels/lisht_composite.js';
import { lishtGradConfig } from './gradients/lisht_grad.js';
import { Lisht } from './kernel_names.js';

/** Backends that get `Lisht` composed of their own ops rather than a hand-written loop. */
export const COMPOSITE_BACKENDS = ['webgl', 'webgpu', 'tensorflow'] as const;

const configs: KernelConfig[] = [
  lishtCpuConfig,
  lishtGradCpuConfig,
  lishtWasmConfig,
  lishtGradWasmConfig,
  ...COMPOSITE_BACKENDS.flatMap((b) => compositeLishtConfigs(b)),
];

/** Registers the kernels and the gradient; idempotent. */
export function registerLishtKernels(): void {
  for (const config of configs) {
    // Another copy of this package (or a faster backend-specific kernel) may have come first.
    if (getKernel(config.kernelName, config.backendName) === undefined) registerKernel(config);
  }
  if (getGradient(Lisht) === undefined) registerGradient(lishtGradConfig);
}
