/** The fused training path: ops, their kernels and gradients, and the passes that put models on it. */
import { getGradient, registerGradient } from '@tensorflow/tfjs-core';
import { activationMaxPoolGradConfig, batchNormTrainingGradConfig, conv2dBiasGradConfig } from './gradients.js';

for (const config of [conv2dBiasGradConfig, activationMaxPoolGradConfig, batchNormTrainingGradConfig]) {
  if (getGradient(config.kernelName) === undefined) registerGradient(config);
}

export {
  conv2dBias,
  activationMaxPool,
  batchNormTraining,
  type Conv2DBiasOptions,
  type ActivationMaxPoolOptions,
} from './ops.js';
export { fuseSequential, type Forward } from './sequential.js';
export { fuseBatchNormLayers } from './batch_norm_layers.js';
export { fusedKernelConfigs } from './kernels.js';
export * from './kernel_names.js';
