import * as tf from '@tensorflow/tfjs-core';

/** Keras's clipping of probabilities before the log (`backend.epsilon()`). */
export const EPSILON = 1e-7;

/**
 * Mean sparse categorical cross-entropy of softmax `probs` [batch, classes] against integer
 * `labels` [batch], as Keras computes it from probabilities.
 */
export function sparseCategoricalCrossentropy(probs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const numClasses = probs.shape[probs.shape.length - 1] as number;
    const oneHot = tf.oneHot(labels, numClasses);
    const logp = tf.log(tf.clipByValue(probs, EPSILON, 1 - EPSILON));
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logp), -1))) as tf.Scalar;
  });
}

/** Number of rows of `probs` whose argmax equals the label, as an int32 scalar. */
export function countCorrect(probs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), labels), 'int32')) as tf.Scalar);
}
