/**
 * A few training steps of a small LiSHT model, from given weights and data: the same code runs
 * in Node (on `cpu`, the reference) and bundled into the browser test page (on each backend),
 * so the losses can be compared step by step. Browser-safe: imports only the main entry.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { trainStep } from '../../src/index.js';

export const FEATURES = 4;
export const HIDDEN = 16;
export const CLASSES = 3;
export const EXAMPLES = 24;
export const STEPS = 3;
/** Large enough that each step moves the loss by several percent. */
export const LEARNING_RATE = 0.5;

/** Everything a run needs, as plain arrays (they cross into the page as JSON). */
export interface TrainingInput {
  /** Kernel [FEATURES, HIDDEN], bias [HIDDEN], kernel [HIDDEN, CLASSES], bias [CLASSES]. */
  weights: number[][];
  features: number[];
  labels: number[];
}

/** Dense(HIDDEN, 'lisht') then Dense(CLASSES, 'softmax'), trained with plain SGD, full batch. */
export async function trainingLosses(input: TrainingInput): Promise<number[]> {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [FEATURES], units: HIDDEN, activation: 'lisht' as 'relu' }),
      tfl.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
  const shapes = [[FEATURES, HIDDEN], [HIDDEN], [HIDDEN, CLASSES], [CLASSES]];
  model.setWeights(input.weights.map((w, i) => tf.tensor(w, shapes[i])));
  const x = tf.tensor2d(input.features, [EXAMPLES, FEATURES]);
  const y = tf.tensor1d(input.labels, 'int32');
  const optimizer = tf.train.sgd(LEARNING_RATE);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses: number[] = [];
  try {
    for (let step = 0; step < STEPS; step++) losses.push((await trainStep(model, optimizer, vars, x, y)).loss);
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
  return losses;
}
