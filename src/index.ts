/**
 * lisht: the LiSHT activation (`x * tanh(x)`) and friends for TensorFlow.js. This entry is
 * browser-safe: it imports no Node built-in, so bundlers (esbuild, Vite, webpack) take it
 * with `platform: 'browser'`. What needs Node (files, data sets, experiments, the native
 * backend) is in `lisht/node`, which re-exports everything here too.
 *
 * Importing this module registers the `Lisht` kernels and gradient for the `cpu`, `wasm`,
 * `webgl`, `webgpu` and `tensorflow` backends, and makes `activation: 'lisht'` (and
 * `'leaky_relu'`, `'silu'`) valid in every tfjs-layers layer.
 */
import './register.js';
export * from './activations/index.js';
export { selectBackend, BACKEND_NAMES, type BackendChoice, type SelectOptions } from './backends/select_browser.js';
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
export { ProgressBar, type ProgressStream } from './training/progress.js';
export { evaluate, type Evaluation } from './training/evaluate.js';
export { exampleSets, type ExampleSet } from './training/data.js';
export { UserError } from './errors.js';
export {
  loadKerasModel,
  readKerasModel,
  type KerasSource,
  type KerasModelJson,
  type KerasFormat,
  type LoadedKerasModel,
} from './keras/load.js';
export { toKerasFile, toKerasH5File, KERAS_FORMAT_VERSION } from './keras/save.js';
