/**
 * lisht/node: everything of the browser-safe entry (`lisht`) plus what needs Node: model files
 * on disk, the data sets, the article's experiment (`compare`), inspection, training
 * benchmarks, the native (oneDNN) backend, and a `selectBackend` that loads `tensorflow`
 * (tfjs-node), `native`, `wasm` or `cpu` on demand.
 *
 * ```js
 * import { lisht, selectBackend, saveModel, compare } from 'lisht/node';
 * await selectBackend('auto'); // tensorflow, native or wasm, the fastest that starts
 * ```
 */
export * from './index.js';
// Declared here, these shadow the browser entry's selection of the same names.
export { selectBackend, BACKEND_NAMES, type BackendChoice } from './backends/select.js';
export { requireNativeBackend, nativeBackendInfo, setNativeThreads, nativeAddonUnavailableReason, NATIVE_BACKEND } from './backends/native/index.js';
export { setPrecisionPolicy, getPrecisionPolicy, PRECISION_POLICIES, type PrecisionPolicy, type PrecisionOptions } from './backends/native/index.js';
export { saveModel, loadModel, fileSaveHandler } from './training/model_files.js';
export { loadKerasModelFile, saveKerasModel, saveKerasH5Model } from './keras/files.js';
export { benchTraining, type BenchOptions, type BenchResult } from './training/bench.js';
export { compare, type CompareEvent, type CompareHooks } from './experiments/compare.js';
export type { CompareOptions } from './experiments/compare_options.js';
export type { CompareSummary, CompareResult, EpochRecord } from './experiments/compare_types.js';
export {
  inspect,
  GradientFlowCallback,
  measureGradientFlow,
  probeBatch,
  type InspectOptions,
  type InspectEvent,
  type GradientFlowRecord,
  type InspectData,
} from './inspect/index.js';
export * as datasets from './datasets/index.js';
export { VERSION } from './version.js';
