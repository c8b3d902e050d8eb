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
  /** `mlp` only: widths of the hidden layers; default [256, 128]. */
  hiddenUnits?: number[];
  /**
   * Text models only: number of token ids, padding (0) and out-of-vocabulary (1) included,
   * i.e. the length of the data set's `vocabulary`.
   */
  vocabularySize?: number;
}

/** What a model is checked against before data are loaded or a model is built. */
export interface ModelInput {
  kind: DatasetKind;
  /** One example's shape, without the batch dimension. */
  inputShape: number[];
  numClasses: number;
  /** Text data sets: number of token ids (see {@link ModelBuildOptions.vocabularySize}). */
  vocabularySize?: number;
}

/** A named model architecture. */
export interface ModelDefinition {
  name: string;
  description: string;
  /** Data set kinds it can be trained on. */
  accepts: readonly DatasetKind[];
  /**
   * Throws a `UserError` saying why when the model cannot take this input (beyond its kind,
   * which `accepts` covers), e.g. images too small for a ResNet's three stages.
   */
  checkInput?(input: ModelInput): void;
  /** Throws a `UserError` when the model cannot use this activation (e.g. PReLU in an LSTM). */
  checkActivation?(activation: string): void;
  build(options: ModelBuildOptions): tfl.LayersModel;
}
