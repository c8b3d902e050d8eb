import type * as tfl from '@tensorflow/tfjs-layers';
import type { DatasetKind } from '../datasets/types.js';

/** What every model builder is given. */
export interface ModelBuildOptions {
  /** Shape of one example, without the batch dimension (e.g. [32, 32, 3]). */
  inputShape: number[];
  numClasses: number;
  /** A zoo activation name or alias. */
  activation: string;
  /** Seed of the initial weights; `undefined` draws fresh ones. */
  seed?: number;
}

/** A named model architecture. */
export interface ModelDefinition {
  name: string;
  description: string;
  /** Data set kinds it can be trained on. */
  accepts: readonly DatasetKind[];
  build(options: ModelBuildOptions): tfl.LayersModel;
}
