/**
 * Installs the training kernels the wasm backend lacks, and faster replacements for the ones it
 * has but runs slowly, so a conv net trains on wasm end to end.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { builtinConfig, captureBuiltins, type BuiltinName } from './builtin.js';
import { conv2dBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { conv2dBackpropInputConfig } from './conv2d_backprop_input.js';
import {
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
} from './depthwise_conv2d_backprop.js';
import { castConfig, identityConfig } from './identity.js';
import { batchMatMulConfig, fusedMatMulConfig } from './mat_mul.js';
import { maxPoolGradConfig } from './max_pool_grad.js';
import { sumConfig } from './sum.js';
import { unsortedSegmentSumConfig } from './unsorted_segment_sum.js';

/** Kernels the wasm backend does not have at all. */
const ADDED: KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/** Kernels the wasm backend has, replaced by faster ones (keyed by the name they replace). */
const REPLACED: Array<[BuiltinName, KernelConfig]> = [
  ['Conv2DBackpropInput', conv2dBackpropInputConfig],
  ['MaxPoolGrad', maxPoolGradConfig],
  ['BatchMatMul', batchMatMulConfig],
  ['_FusedMatMul', fusedMatMulConfig],
  ['Identity', identityConfig],
  ['Cast', castConfig],
  ['Sum', sumConfig],
];

let replacing = false;

/**
 * Registers the kernels for backend `'wasm'`. Idempotent; safe to call before or after
 * `tf.setBackend('wasm')`, once `@tensorflow/tfjs-backend-wasm` is imported.
 */
export function registerWasmTrainingKernels(): void {
  captureBuiltins();
  for (const config of ADDED) {
    if (getKernel(config.kernelName, 'wasm') == null) registerKernel(config);
  }
  if (replacing) return;
  for (const [name, config] of REPLACED) {
    unregisterKernel(name, 'wasm');
    // The original's setupFunc binds its native entry point, which the replacement calls.
    registerKernel({ ...config, setupFunc: builtinConfig(name).setupFunc });
  }
  replacing = true;
}

/**
 * Puts the wasm backend's own versions of the replaced kernels back (the added kernels stay,
 * having no original). For A/B comparisons; `registerWasmTrainingKernels` undoes it.
 */
export function restoreBuiltinWasmKernels(): void {
  if (!replacing) return;
  for (const [name] of REPLACED) {
    unregisterKernel(name, 'wasm');
    registerKernel(builtinConfig(name));
  }
  replacing = false;
}

/** Names of the kernels `registerWasmTrainingKernels` adds or replaces. */
export function wasmTrainingKernelNames(): { added: string[]; replaced: string[] } {
  return {
    added: ADDED.map((c) => c.kernelName),
    replaced: REPLACED.map(([name]) => name),
  };
}
