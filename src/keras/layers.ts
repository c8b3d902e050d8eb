/**
 * Keras's `ReLU` and `ELU` layers with all their arguments: tfjs-layers' ReLU has max_value
 * only (a Keras ReLU loaded into it would silently drop negative_slope and threshold), and its
 * ELU refuses any alpha but 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';

export interface KerasReluArgs {
  name?: string;
  maxValue?: number | null;
  negativeSlope?: number;
  threshold?: number;
}

/** f(x) = min(x, max_value) for x >= threshold, negative_slope (x - threshold) below it. */
export class KerasReLU extends layers.Layer {
  static readonly className = 'KerasReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: KerasReluArgs = {}) {
    super({ name: args.name });
    this.maxValue = args.maxValue ?? null;
    this.negativeSlope = args.negativeSlope ?? 0;
    this.threshold = args.threshold ?? 0;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const above = this.maxValue === null ? x : tf.minimum(x, this.maxValue);
      return tf.where(tf.greaterEqual(x, this.threshold), above, tf.mul(this.negativeSlope, tf.sub(x, this.threshold)));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold, ...super.getConfig() };
  }
}

/** Keras's `ELU` layer: tfjs-layers' ELU refuses any alpha but 1. x if x > 0, else alpha (e^x - 1). */
export class KerasELU extends layers.Layer {
  static readonly className = 'KerasELU';
  readonly alpha: number;

  constructor(args: { name?: string; alpha?: number } = {}) {
    super({ name: args.name });
    this.alpha = args.alpha ?? 1;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.where(tf.greater(x, 0), x, tf.mul(this.alpha, tf.expm1(x)));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { alpha: this.alpha, ...super.getConfig() };
  }
}
