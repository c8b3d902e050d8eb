/** The fused training path: ops, their kernels and gradients, and a fusion pass for Sequential models. */
import { getGradient, registerGradient } from '@tensorflow/tfjs-core';
import { activationMaxPoolGradConfig, conv2dBiasGradConfig } from './gradients.js';

for (const config of [conv2dBiasGradConfig, activationMaxPoolGradConfig]) {
  if (getGradient(config.kernelName) === undefined) registerGradient(config);
}

export {
  conv2dBias,
  activationMaxPool,
  type Conv2DBiasOptions,
  type ActivationMaxPoolOptions,
} from './ops.js';
export { fuseSequential, type Forward } from './sequential.js';
export { fusedKernelConfigs } from './kernels.js';
export * from './kernel_names.js';
