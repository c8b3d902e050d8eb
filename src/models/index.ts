export { buildSeedCnn } from './seed_cnn.js';
export { getModel, models, registerModel } from './registry.js';
export { DATASET_INPUTS, type DatasetInput } from './inputs.js';
export { placeActivation, type ActivationPlacement } from './activation_block.js';
export { modelSummary, formatModelSummary, type ModelSummary, type LayerSummaryRow } from './summary.js';
export type { ModelBuildOptions, ModelDefinition } from './types.js';
