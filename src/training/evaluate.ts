import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ExampleSet } from './data.js';
import { forward } from './forward.js';
import { EPSILON } from './losses.js';

/** Loss, accuracy and predicted classes of a model on a whole example set. */
export interface Evaluation {
  loss: number;
  accuracy: number;
  /** Predicted class (argmax) per example, in the set's order. */
  predictions: Int32Array;
}

/**
 * Runs the model in inference mode over `set` in batches of `batchSize`, as Keras's
 * `evaluate` and the article's `predict` + `argmax` + `accuracy_score` do.
 */
export async function evaluate(model: tfl.LayersModel, set: ExampleSet, batchSize: number): Promise<Evaluation> {
  const predictions = new Int32Array(set.count);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(set.count, start + batchSize);
    const [pred, nll] = tf.tidy(() => {
      const probs = forward(model, set.inputs(null, start, end), false) as tf.Tensor2D;
      const labels = set.targets(null, start, end);
      const p = tf.sum(tf.mul(tf.oneHot(labels, probs.shape[1]), tf.clipByValue(probs, EPSILON, 1 - EPSILON)), -1);
      return [tf.argMax(probs, -1), tf.sum(tf.neg(tf.log(p)))];
    });
    const predicted = (await pred.data()) as Int32Array;
    lossSum += (await nll.data())[0];
    tf.dispose([pred, nll]);
    predictions.set(predicted, start);
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === set.labels[start + i]) correct++;
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count, predictions };
}
