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

/**
 * The most weights an mlp's layers may hold together: 2^27 (512 MiB of float32, four times
 * that with Adam's moments and the gradients while training). Far above any useful MLP; its
 * purpose is a clear error where a mistyped width would exhaust the backend's memory (wasm
 * fails with "memory access out of bounds", the native backend aborts).
 */
export const MAX_MLP_WEIGHTS = 2 ** 27;

/**
 * Checks hidden layer widths: at least one layer, each a positive integer, and the weights
 * they make with `inputSize` inputs (default 1: the widths alone) and `classes` outputs at
 * most {@link MAX_MLP_WEIGHTS}.
 */
export function checkHiddenUnits(units: readonly number[], inputSize = 1, classes = 1): void {
  if (units.length === 0 || units.some((u) => !Number.isSafeInteger(u) || u < 1)) {
    throw new UserError(`hidden units must be one or more positive integers, got [${units.join(', ')}]`);
  }
  const widths = [inputSize, ...units, classes];
  let weights = 0;
  for (let i = 1; i < widths.length; i++) weights += (widths[i - 1]! + 1) * widths[i]!;
  if (weights > MAX_MLP_WEIGHTS) {
    throw new UserError(`hidden units [${units.join(', ')}] make ${weights.toExponential(2)} weights; an mlp may have at most ${MAX_MLP_WEIGHTS} (2^27)`);
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
  checkHiddenUnits(units, inputShape.reduce((a, b) => a * b, 1), numClasses);
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
