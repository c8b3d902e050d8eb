/** The `native` TensorFlow.js backend: oneDNN and hand-vectorised C++ behind the cpu backend's layout. */
export { registerNativeBackend, requireNativeBackend, nativeBackendInfo, setNativeThreads, NATIVE_KERNEL_CONFIGS } from './register.js';
export { loadNativeAddon, nativeAddonUnavailableReason, type NativeAddon } from './addon.js';
export { NativeBackend } from './backend.js';
export { applyAdamNative, NativeAdamUpdate } from './adam.js';
export { applyMomentumNative, NativeMomentumUpdate } from './momentum.js';
export { NATIVE_BACKEND, kernelCounts } from './kernels/util.js';
export {
  conv2dBias,
  activationMaxPool,
  fuseSequential,
  fuseBatchNormLayers,
  batchNormTraining,
  type Conv2DBiasOptions,
  type ActivationMaxPoolOptions,
  type Forward,
  type PoolActivation,
} from './fused/index.js';
