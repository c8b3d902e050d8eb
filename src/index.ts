/**
 * lisht: the LiSHT activation (`x * tanh(x)`) and friends for TensorFlow.js.
 *
 * Importing this module registers the `Lisht` kernels and gradient for the `cpu`, `wasm`,
 * `webgl`, `webgpu` and `tensorflow` backends, and makes `activation: 'lisht'` (and
 * `'leaky_relu'`, `'silu'`) valid in every tfjs-layers layer.
 *
 * Data sets and reports, which need no TensorFlow.js, are also importable on their own:
 * `lisht/datasets`, `lisht/reports`.
 */
import './register.js';
export * from './activations/index.js';
export { selectBackend, BACKEND_NAMES, type BackendChoice } from './backends/select.js';
export {
  buildSeedCnn,
  getModel,
  models,
  registerModel,
  modelSummary,
  formatModelSummary,
  DATASET_INPUTS,
  type ModelBuildOptions,
  type ModelDefinition,
  type ModelSummary,
} from './models/index.js';
export { fit, trainStep, epochOrder, TrainingDivergedError, type FitOptions, type FitResult } from './training/fit.js';
export { History, type Callback, type EpochLogs, type BatchLogs } from './training/callbacks.js';
export { ProgressBar } from './training/progress.js';
export { evaluate, type Evaluation } from './training/evaluate.js';
export { exampleSets, type ExampleSet } from './training/data.js';
export { saveModel, loadModel, fileSaveHandler } from './training/model_files.js';
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
export { UserError } from './errors.js';
export { VERSION } from './version.js';
