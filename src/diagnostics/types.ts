/**
 * The JSON shape of a gradient-flow measurement, as `compare`'s summary.json, the results store
 * and the reports keep it. Field names are snake_case like the rest of summary.json. A NaN
 * measured anywhere is written by JSON as `null`; readers treat `null` as "not measured / not
 * finite".
 */

/** Activation statistics of one activation site (a layer's activation) on the probe batch. */
export interface ActivationStats {
  /** The activation's name as the layer knows it, e.g. `relu`, `lisht`, `PReLU`. */
  activation: string;
  /** Units: channels of a convolution (last axis), neurons of a dense layer. */
  units: number;
  /** Mean and (population) standard deviation of every output value. */
  mean: number;
  std: number;
  /** Share of output values that are exactly 0. */
  zero_fraction: number;
  /**
   * Share of units whose output is exactly 0 for every example of the probe batch (and, for a
   * convolution, at every position): they pass no signal and, for ReLU, get no gradient.
   */
  dead_fraction: number;
  /**
   * Share of output values where the activation's derivative is below `epsilon` in magnitude
   * (null for activations that are not element-wise).
   */
  low_gradient_fraction: number | null;
  /**
   * Share of units, not dead, whose activation derivative is below `epsilon` in magnitude for
   * every example and position: they still pass a signal but almost no gradient (sigmoid or
   * tanh near ±1). Dead units are counted as dead only, so the two shares add up.
   */
  saturated_fraction: number | null;
}

/** One layer at one moment of training. */
export interface LayerFlow {
  layer: string;
  /** tfjs-layers class name, e.g. `Conv2D`. */
  class_name: string;
  /** L2 norm of the loss gradient over the layer's trainable weights; null without weights. */
  grad_norm: number | null;
  /** L2 norm of the layer's trainable weights; null without weights. */
  weight_norm: number | null;
  /** Null for layers without an activation (pooling, the softmax output, linear layers). */
  activation: ActivationStats | null;
}

/** One measurement of the gradient flow. */
export interface GradientFlowRecord {
  /** 0: the initial weights, before training; n: after epoch n. */
  epoch: number;
  /** Mean cross-entropy of the probe batch (inference mode). */
  loss: number;
  /** Number of examples in the probe batch. */
  probe_size: number;
  /** The derivative threshold of `low_gradient_fraction` and `saturated_fraction`. */
  epsilon: number;
  /** Wall-clock seconds the measurement took. */
  seconds: number;
  layers: LayerFlow[];
}
