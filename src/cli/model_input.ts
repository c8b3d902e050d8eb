import { parseDatasetName } from '../datasets/registry.js';
import type { DatasetName } from '../datasets/types.js';
import { defaultDatasetFor } from '../models/defaults.js';
import { DATASET_INPUTS } from '../models/inputs.js';
import { checkModelFits, getModel } from '../models/registry.js';
import type { ModelDefinition, ModelInput } from '../models/types.js';

/**
 * The model a command names and the input of the data set it is sized for (`--dataset`, or the
 * first the model fits), checked to fit each other and the activations.
 */
export function resolveModelInput(
  model: string,
  dataset: string | undefined,
  activations: readonly string[],
): { definition: ModelDefinition; dataset: DatasetName; input: ModelInput } {
  const definition = getModel(model);
  const name = dataset === undefined ? defaultDatasetFor(definition.name) : parseDatasetName(dataset);
  const input = DATASET_INPUTS[name];
  checkModelFits(definition, name, input, activations);
  return { definition, dataset: name, input };
}
