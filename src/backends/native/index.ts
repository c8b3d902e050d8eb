/** The `native` TensorFlow.js backend: oneDNN and hand-vectorised C++ behind the cpu backend's layout. */
export { registerNativeBackend, requireNativeBackend, nativeBackendInfo, setNativeThreads, NATIVE_KERNEL_CONFIGS } from './register.js';
export { loadNativeAddon, nativeAddonUnavailableReason, type NativeAddon } from './addon.js';
export { NativeBackend } from './backend.js';
export { NATIVE_BACKEND, kernelCounts } from './kernels/util.js';
export {
  setPrecisionPolicy,
  getPrecisionPolicy,
  applyPrecision,
  checkPrecisionRequest,
  bf16Missing,
  policyFor,
  PRECISION_POLICIES,
  PRECISIONS,
  ALLOW_EMULATED_ENV,
  type PrecisionPolicy,
  type Precision,
  type PrecisionOptions,
} from './precision.js';
