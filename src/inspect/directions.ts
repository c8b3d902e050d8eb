/**
 * Random directions in weight space for loss-landscape plots, filter-normalised as in Li et
 * al., "Visualizing the Loss Landscape of Neural Nets" (NeurIPS 2018), section 4: a Gaussian
 * direction d gets, filter by filter, the norm of the weights' filter, d_j <- d_j / ||d_j|| *
 * ||w_j||, so a step of 1 along d moves every filter by its own size, whatever the scale of
 * the layer. Without it, scale-invariant networks (ReLU + BatchNorm) would show sharpness
 * that is only a matter of weight scale.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * A filter is a slice along the last axis, the output unit: `d[..., j]` of a convolution kernel
 * [kh, kw, cin, cout] (PyTorch's `weight[j]`, as Li et al. use) or column j of a dense kernel
 * [in, out]. Weights of rank 0 or 1 (biases, BatchNorm's gamma and beta) get a zero
 * direction, as in Li et al.'s code (`ignore='biasbn'`), so the plot moves kernels only.
 */
export function filterNormalize(direction: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  if (direction.shape.join() !== weights.shape.join()) {
    throw new RangeError(`direction shape [${direction.shape}] differs from weight shape [${weights.shape}]`);
  }
  if (weights.rank <= 1) return tf.zerosLike(weights);
  return tf.tidy(() => {
    const units = weights.shape[weights.rank - 1]!;
    const d = tf.reshape(direction, [-1, units]);
    const dNorm = tf.norm(d, 'euclidean', 0);
    const wNorm = tf.norm(tf.reshape(weights, [-1, units]), 'euclidean', 0);
    // A zero direction filter stays zero rather than becoming NaN.
    const scale = tf.where(tf.greater(dNorm, 0), tf.div(wNorm, tf.maximum(dNorm, 1e-30)), tf.zerosLike(dNorm));
    return tf.reshape(tf.mul(d, scale), weights.shape);
  });
}

/** L2 norm of every filter (slice along the last axis) of a tensor of rank 2 or more. */
export function filterNorms(t: tf.Tensor): Float32Array {
  const units = t.shape[t.rank - 1]!;
  return tf.tidy(() => tf.norm(tf.reshape(t, [-1, units]), 'euclidean', 0)).dataSync() as Float32Array;
}

/**
 * A seeded Gaussian direction for every tensor of `weights`, filter-normalised. `frozen[i]`
 * true gives weight i a zero direction (non-trainable weights such as BatchNorm's moving
 * statistics are not parameters of the loss surface). The same seed and index give the same
 * direction on every backend: tfjs draws seeded normals in JavaScript.
 */
export function randomDirection(weights: readonly tf.Tensor[], seed: number, frozen: readonly boolean[] = []): tf.Tensor[] {
  return weights.map((w, i) => {
    if (frozen[i] || w.rank <= 1) return tf.zerosLike(w);
    return tf.tidy(() => filterNormalize(tf.randomNormal(w.shape, 0, 1, 'float32', seed * 1_000_003 + i), w));
  });
}
