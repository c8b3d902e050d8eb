import * as tf from '@tensorflow/tfjs-core';

/** Keras's Adam defaults, as the article uses them: learning rate 0.001, epsilon 1e-7. */
export function createAdam(learningRate = 0.001): tf.AdamOptimizer {
  return tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
}
