/**
 * The JSON shapes of what `inspect` measures: gradient flow (stored per activation in a
 * compare run's summary.json), and `inspect/inspect.json`. Field names are snake_case like the
 * rest of summary.json. A NaN measured anywhere is written by JSON as `null`; readers treat
 * `null` as "not measured / not finite".
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

/** Histogram of one layer's kernel, initial and trained, on bins shared by every activation. */
export interface WeightHistogram {
  layer: string;
  /** Bin edges, `counts.length + 1` of them. */
  edges: number[];
  initial: number[];
  trained: number[];
  /** Number of weights (every bin count sums to this). */
  count: number;
}

/** A 1-D loss curve from the initial (alpha 0) to the trained (alpha 1) weights. */
export interface Interpolation1d {
  alpha: number[];
  loss: (number | null)[];
  accuracy: (number | null)[];
  /** Wall-clock seconds, and CPU seconds of this process (the fairer number on a busy machine). */
  seconds: number;
  cpu_seconds: number;
}

/** The loss over `theta + x * d1 + y * d2` on a grid, `loss[row of y][column of x]`. */
export interface Surface2d {
  x: number[];
  y: number[];
  loss: (number | null)[][];
  accuracy: (number | null)[][];
  seconds: number;
  cpu_seconds: number;
}

/** Per-activation part of `inspect.json`. */
export interface ActivationInspection {
  activation: string;
  /** Where the initial weights came from. */
  initial_weights: 'saved' | 'rebuilt-from-seed';
  weights: WeightHistogram[];
  /** Feature-map layers shown, and the value that maps to full colour in each. */
  feature_maps: { layer: string; channels: number; height: number; width: number }[];
  landscape_1d: Interpolation1d;
  landscape_2d: Surface2d;
  files: string[];
}

/** `inspect/inspect.json`. */
export interface InspectData {
  created: string;
  backend: string;
  /** Options as resolved. */
  grid: number;
  subset: number;
  range: number;
  images: number;
  seed: number;
  batch_size: number;
  /** Shared scales, so every activation's pictures compare at a glance. */
  scales: {
    loss_2d: [number, number] | null;
    contour_levels: number[];
    feature_maps: { layer_index: number; max: number; signed: boolean }[];
  };
  activations: ActivationInspection[];
  /** Files written under `inspect/`, for the report. */
  files: { gradient_flow: string | null; landscape_1d: string | null };
  seconds: number;
}
