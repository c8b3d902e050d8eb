import * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '../errors.js';
import { asActivationOption, placeActivation } from './activation_block.js';
import type { ModelBuildOptions, ModelInput } from './types.js';

/**
 * Hidden layer widths of `mlp` when none are given: two layers, wide enough for flattened
 * MNIST (784 inputs) and still small for Iris and Car Evaluation. Our choice; the LiSHT paper
 * does not state its MLPs' widths.
 */
export const DEFAULT_HIDDEN_UNITS: readonly number[] = [256, 128];

/** Checks hidden layer widths: at least one layer, each a positive integer. */
export function checkHiddenUnits(units: readonly number[]): void {
  if (units.length === 0 || units.some((u) => !Number.isSafeInteger(u) || u < 1)) {
    throw new UserError(`hidden units must be one or more positive integers, got [${units.join(', ')}]`);
  }
}

/** `mlp` takes any fixed-size numeric input; images are flattened. */
export function checkMlpInput(input: Pick<ModelInput, 'inputShape'>): void {
  if (input.inputShape.length === 0 || input.inputShape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new UserError(`mlp needs a fixed input shape, got [${input.inputShape.join(', ')}]`);
  }
}

/**
 * A fully connected classifier: Flatten (for images), then one Dense layer with the
 * activation per entry of `hiddenUnits` (default [256, 128]), then Dense(classes, softmax).
 * Keras defaults: Glorot-uniform kernels, zero biases. PReLU comes as its own layer after
 * each hidden Dense layer, one slope per unit.
 */
export function buildMlp({ inputShape, numClasses, activation, seed, hiddenUnits }: ModelBuildOptions): tfl.Sequential {
  checkMlpInput({ inputShape });
  const units = hiddenUnits ?? DEFAULT_HIDDEN_UNITS;
  checkHiddenUnits(units);
  const act = placeActivation(activation);
  // One seed per layer, as in seed-cnn: changing one layer leaves the others' weights alone.
  const init = (i: number) => tfl.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed * 100 + i });
  const model = tfl.sequential({ name: `mlp_${act.spec.name}` });
  if (inputShape.length > 1) model.add(tfl.layers.flatten({ inputShape, name: 'flatten' }));
  units.forEach((width, i) => {
    const name = i === 0 ? 'dense' : `dense_${i}`;
    model.add(
      tfl.layers.dense({
        ...(i === 0 && inputShape.length === 1 ? { inputShape } : {}),
        units: width,
        activation: asActivationOption(act.option),
        kernelInitializer: init(i + 1),
        name,
      }),
    );
    const after = act.after(`${name}_activation`);
    if (after !== undefined) model.add(after);
  });
  model.add(
    tfl.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: init(units.length + 1), name: `dense_${units.length}` }),
  );
  return model;
}
