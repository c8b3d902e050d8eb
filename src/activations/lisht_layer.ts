import type { Tensor } from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import { lisht } from './ops/lisht.js';

/**
 * A standalone LiSHT layer, like Keras's `Activation(lisht)` or `tf.layers.reLU()`: no
 * weights, output shape equal to input shape. Registered for serialization as `LiSHT`.
 */
export class LiSHT extends layers.Layer {
  static readonly className = 'LiSHT';

  constructor(args: { name?: string; inputShape?: Shape; batchInputShape?: Shape; trainable?: boolean } = {}) {
    super(args);
    this.supportsMasking = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return lisht(x);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }
}

/** Creates a {@link LiSHT} layer, in the style of `tf.layers.reLU()`. */
export function lishtLayer(args?: ConstructorParameters<typeof LiSHT>[0]): LiSHT {
  return new LiSHT(args);
}

