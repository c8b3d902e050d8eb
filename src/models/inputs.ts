import type { DatasetName } from '../datasets/types.js';
import { DEFAULT_VOCABULARY_SIZE } from '../datasets/text_defaults.js';
import type { ModelInput } from './types.js';

/** What a model needs to know of a data set before the data are loaded. */
export type DatasetInput = ModelInput;

/**
 * Input shapes and class counts of the data sets as their loaders produce them (Car
 * Evaluation: 6 categorical features one-hot encoded into 21 columns; Sentiment140: the
 * loader's default sequence length of 40 and vocabulary of 20,000 words plus the padding and
 * out-of-vocabulary ids).
 */
export const DATASET_INPUTS: Readonly<Record<DatasetName, DatasetInput>> = {
  cifar10: { kind: 'image', inputShape: [32, 32, 3], numClasses: 10 },
  cifar100: { kind: 'image', inputShape: [32, 32, 3], numClasses: 100 },
  mnist: { kind: 'image', inputShape: [28, 28, 1], numClasses: 10 },
  'fashion-mnist': { kind: 'image', inputShape: [28, 28, 1], numClasses: 10 },
  iris: { kind: 'tabular', inputShape: [4], numClasses: 3 },
  'car-evaluation': { kind: 'tabular', inputShape: [21], numClasses: 4 },
  sentiment140: { kind: 'text', inputShape: [40], numClasses: 2, vocabularySize: DEFAULT_VOCABULARY_SIZE + 2 },
};
