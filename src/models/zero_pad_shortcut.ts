/**
 * Option A shortcut of He et al. 2015: where a residual unit halves the resolution and widens
 * the channels, the shortcut takes every `strides`-th pixel and appends zero channels. It has
 * no weights, which is why the CIFAR ResNets of the paper have 0.27M (ResNet-20) and 0.85M
 * (ResNet-56) parameters.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface ZeroPadShortcutArgs {
  /** Output channels (at least the input's). */
  filters: number;
  /** Subsampling step in height and width. */
  strides: number;
  name?: string;
  trainable?: boolean;
}

/**
 * Pixel `strides * i` of each row and column, as a strided 1x1 convolution picks it, then zero
 * channels up to `filters`. Built from pad, reshape and slice, which have gradients on every
 * backend (tfjs has none for strided slices).
 */
export class ZeroPadShortcut extends tfl.layers.Layer {
  static readonly className = 'ZeroPadShortcut';
  readonly filters: number;
  readonly strides: number;

  constructor(args: ZeroPadShortcutArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.filters = args.filters;
    this.strides = args.strides;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [batch, h, w] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const sub = (d: number | null) => (d === null ? null : Math.ceil(d / this.strides));
    return [batch, sub(h), sub(w), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const s = this.strides;
      if (s > 1) {
        const [b, h, w, c] = x.shape;
        const hs = Math.ceil(h / s);
        const ws = Math.ceil(w / s);
        // Pad to a multiple of the stride, fold each s x s block out, keep its top-left pixel.
        const padded = tf.pad(x, [[0, 0], [0, hs * s - h], [0, ws * s - w], [0, 0]]);
        const blocks = tf.reshape(padded, [b, hs, s, ws, s, c]);
        x = tf.reshape(tf.slice(blocks, [0, 0, 0, 0, 0, 0], [b, hs, 1, ws, 1, c]), [b, hs, ws, c]);
      }
      const extra = this.filters - x.shape[3];
      return extra > 0 ? tf.pad(x, [[0, 0], [0, 0], [0, 0], [0, extra]]) : x;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, strides: this.strides };
  }
}
