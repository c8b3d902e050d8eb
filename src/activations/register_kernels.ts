/**
 * The `Lisht` and `LishtGrad` kernels for every backend this package knows, and the gradient of
 * `Lisht`. `src/register.ts` registers them.
 */
import { getGradient, getKernel, registerGradient, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { lishtCpuConfig, lishtGradCpuConfig } from './kernels/lisht_cpu.js';
import { lishtWasmConfig, lishtGradWasmConfig } from './kernels/lisht_wasm.js';
import { lishtWebGLConfig, lishtGradWebGLConfig } from './kernels/lisht_webgl.js';
import { lishtWebGPUConfig, lishtGradWebGPUConfig } from './kernels/lisht_webgpu.js';
import { compositeLishtConfigs } from './kernels/lisht_composite.js';
import { lishtGradConfig } from './gradients/lisht_grad.js';
import { Lisht } from './kernel_names.js';

/**
 * Backends that get `Lisht` composed of their own ops rather than a hand-written kernel:
 * tfjs-node, whose kernels are TensorFlow's C++ ones and take no programs from here.
 */
export const COMPOSITE_BACKENDS = ['tensorflow'] as const;

const configs: KernelConfig[] = [
  lishtCpuConfig,
  lishtGradCpuConfig,
  lishtWasmConfig,
  lishtGradWasmConfig,
  // Shader programs handed to the backends' public program APIs; these modules import nothing
  // of the (optional) webgl and webgpu packages, so registering them is safe in Node.
  lishtWebGLConfig,
  lishtGradWebGLConfig,
  lishtWebGPUConfig,
  lishtGradWebGPUConfig,
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
