import { DATASET_NAMES, type DatasetName } from '../datasets/types.js';
import { DATASET_INPUTS } from './inputs.js';
import { checkModelFits, getModel } from './registry.js';

/**
 * The model `compare` trains on each data set when none is named: the article's seed-cnn on
 * CIFAR (so its command is unchanged), the MLP on MNIST-like images and tables, the LSTM on
 * tweets. The paper's ResNets are a `--model resnet-N` away; on CPU backends they take hours.
 */
export const DEFAULT_MODELS: Readonly<Record<DatasetName, string>> = {
  cifar10: 'seed-cnn',
  cifar100: 'seed-cnn',
  mnist: 'mlp',
  'fashion-mnist': 'mlp',
  iris: 'mlp',
  'car-evaluation': 'mlp',
  sentiment140: 'lstm',
};

/** The default model of a data set (see {@link DEFAULT_MODELS}). */
export function defaultModelFor(dataset: DatasetName): string {
  return DEFAULT_MODELS[dataset];
}

/** The first data set (in `DATASET_NAMES` order, CIFAR-10 first) that model `name` fits. */
export function defaultDatasetFor(name: string): DatasetName {
  const definition = getModel(name);
  const fits = DATASET_NAMES.find((d) => {
    try {
      checkModelFits(definition, d, DATASET_INPUTS[d]);
      return true;
    } catch {
      return false;
    }
  });
  // Every model of the registry fits one; a registered one that fits none gets the reason.
  if (fits === undefined) checkModelFits(definition, DATASET_NAMES[0], DATASET_INPUTS[DATASET_NAMES[0]]);
  return fits ?? DATASET_NAMES[0];
}
