/**
 * Activation identifiers for tfjs-layers. tfjs-layers resolves a string `activation` through
 * the serialization registry, so registering a class under the name `lisht` makes
 * `tf.layers.dense({units, activation: 'lisht'})` (once `src/register.ts` has run) work in every layer that takes an
 * activation (Dense, Conv2D, LSTM, ...), and keeps the name through `model.save` and
 * `tf.loadLayersModel`.
 */
import { serialization, tidy, leakyRelu, sigmoid, mul, type Tensor } from '@tensorflow/tfjs-core';
import { lisht } from './ops/lisht.js';

/**
 * The leaky ReLU slope used by `'leaky_relu'`: Keras's (2 and 3) and `tf.leakyRelu`'s default,
 * so that a Keras model naming `leaky_relu` computes here what it computed in Keras (it was
 * 0.01, PyTorch's default, before issue 22).
 */
export const LEAKY_RELU_ALPHA = 0.2;

/** Base of the activations this package registers: stateless, with an empty config. */
abstract class StatelessActivation extends serialization.Serializable {
  abstract apply(x: Tensor): Tensor;
  override getConfig(): serialization.ConfigDict {
    return {};
  }
}

/** `activation: 'lisht'`. */
export class LishtActivation extends StatelessActivation {
  static readonly className = 'lisht';
  apply(x: Tensor): Tensor {
    return lisht(x);
  }
}

/**
 * `activation: 'leakyRelu'`, with slope {@link LEAKY_RELU_ALPHA}. Camel case because
 * tfjs-layers camel-cases snake_case names when it loads a saved model.
 */
export class LeakyReluActivation extends StatelessActivation {
  static readonly className: string = 'leakyRelu';
  apply(x: Tensor): Tensor {
    return leakyRelu(x, LEAKY_RELU_ALPHA);
  }
}

/** `activation: 'leaky_relu'`, the Keras spelling; saved models record it as `leakyRelu`. */
export class LeakyReluSnakeActivation extends LeakyReluActivation {
  static override readonly className = 'leaky_relu';
}

/** `activation: 'silu'`: the same function as tfjs-layers' built-in `'swish'`. */
export class SiluActivation extends StatelessActivation {
  static readonly className = 'silu';
  apply(x: Tensor): Tensor {
    return tidy(() => mul(x, sigmoid(x)));
  }
}

/** The activation identifiers above, for `registerSerializables` (src/register.ts). */
export const LAYER_ACTIVATIONS = [LishtActivation, LeakyReluActivation, LeakyReluSnakeActivation, SiluActivation] as const;
