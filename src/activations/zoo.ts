/**
 * The activation zoo: every activation the project's models can use, reachable by name.
 * Each entry has its formula as a float64 function and derivative (for plots and gradient
 * studies), a tensor op, and a way into a tfjs-layers model: an `activation` identifier
 * where the function is stateless, and a standalone layer for all of them (PReLU, with its
 * learned slope, only as a layer).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import { lisht } from './ops/lisht.js';
import { lishtDerivativeScalar, lishtScalar } from './lisht_math.js';
import { LEAKY_RELU_ALPHA } from './layers_activations.js';
import { lishtLayer } from './lisht_layer.js';
import { erf, normalPdf, sigmoid, softplus } from './scalar.js';
import { ACTIVATION_NAMES, activationName, type ActivationName } from './names.js';

export { ACTIVATION_ALIASES, ACTIVATION_NAMES, activationName, resolveActivationName, type ActivationName } from './names.js';


/** One activation function, in every form the project needs. */
export interface ActivationSpec {
  readonly name: ActivationName;
  /** How it is written in papers and reports. */
  readonly label: string;
  /** Formula and reference, one line. */
  readonly description: string;
  /** f(x) in float64. */
  fn(x: number): number;
  /** f'(x) in float64 (a one-sided value at kinks: ReLU'(0) = 0, as the tensor ops do). */
  derivative(x: number): number;
  /** f applied element-wise to a tensor, with gradients. */
  apply(x: tf.Tensor): tf.Tensor;
  /**
   * The string to pass as a tfjs-layers `activation` option (after `import 'lisht'`), or
   * `undefined` when the activation has weights and exists only as a layer (PReLU).
   */
  readonly identifier?: string;
  /**
   * A new standalone layer computing this activation. `sharedAxes` matters only for PReLU:
   * pass the spatial axes (`[1, 2]` after a Conv2D) for one slope per channel, as He et al. do.
   */
  layer(args?: { name?: string; sharedAxes?: number[] }): layers.Layer;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** PReLU's initial slope, as in He et al. (2015); it is learned during training. */
export const PRELU_INITIAL_ALPHA = 0.25;

/** A standalone layer for an activation that has a tfjs-layers identifier. */
function activationLayer(identifier: string) {
  return (args: { name?: string } = {}) =>
    layers.activation({ activation: identifier as Parameters<typeof layers.activation>[0]['activation'], name: args.name });
}

const specs: ActivationSpec[] = [
  {
    name: 'lisht',
    label: 'LiSHT',
    description: 'x * tanh(x); Roy et al. 2019, arXiv 1901.05894',
    fn: lishtScalar,
    derivative: lishtDerivativeScalar,
    apply: (x) => lisht(x),
    identifier: 'lisht',
    layer: (args = {}) => lishtLayer({ name: args.name }),
  },
  {
    name: 'relu',
    label: 'ReLU',
    description: 'max(0, x); Nair & Hinton 2010',
    fn: (x) => Math.max(0, x),
    derivative: (x) => (x > 0 ? 1 : 0),
    apply: (x) => tf.relu(x),
    identifier: 'relu',
    layer: activationLayer('relu'),
  },
  {
    name: 'leaky_relu',
    label: 'Leaky ReLU',
    description: `x if x > 0 else ${LEAKY_RELU_ALPHA} x; Maas et al. 2013`,
    fn: (x) => (x > 0 ? x : LEAKY_RELU_ALPHA * x),
    derivative: (x) => (x > 0 ? 1 : LEAKY_RELU_ALPHA),
    apply: (x) => tf.leakyRelu(x, LEAKY_RELU_ALPHA),
    identifier: 'leakyRelu',
    layer: (args = {}) => layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA, name: args.name }),
  },
  {
    name: 'prelu',
    label: 'PReLU',
    description: `x if x > 0 else a x, a learned per channel from ${PRELU_INITIAL_ALPHA}; He et al. 2015`,
    fn: (x) => (x > 0 ? x : PRELU_INITIAL_ALPHA * x),
    derivative: (x) => (x > 0 ? 1 : PRELU_INITIAL_ALPHA),
    // The slope scalar is made inside tidy: outside, every call leaked one tensor.
    apply: (x) => tf.tidy(() => tf.prelu(x, tf.scalar(PRELU_INITIAL_ALPHA))),
    layer: (args = {}) =>
      layers.prelu({
        alphaInitializer: initializers.constant({ value: PRELU_INITIAL_ALPHA }),
        sharedAxes: args.sharedAxes,
        name: args.name,
      }),
  },
  {
    name: 'elu',
    label: 'ELU',
    description: 'x if x > 0 else e^x - 1; Clevert et al. 2015',
    fn: (x) => (x > 0 ? x : Math.expm1(x)),
    derivative: (x) => (x > 0 ? 1 : Math.exp(x)),
    apply: (x) => tf.elu(x),
    identifier: 'elu',
    layer: activationLayer('elu'),
  },
  {
    name: 'selu',
    label: 'SELU',
    description: 'scale * (x if x > 0 else alpha (e^x - 1)); Klambauer et al. 2017',
    fn: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    derivative: (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
    apply: (x) => tf.selu(x),
    identifier: 'selu',
    layer: activationLayer('selu'),
  },
  {
    name: 'gelu',
    label: 'GELU',
    description: 'x * Phi(x), Phi the standard normal CDF; Hendrycks & Gimpel 2016',
    fn: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
    derivative: (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + x * normalPdf(x),
    apply: (x) => tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))))),
    identifier: 'gelu',
    layer: activationLayer('gelu'),
  },
  {
    name: 'swish',
    label: 'Swish',
    description: 'x * sigmoid(x) (SiLU); Ramachandran et al. 2017, Elfwing et al. 2017',
    fn: (x) => x * sigmoid(x),
    derivative: (x) => {
      const s = sigmoid(x);
      return s + x * s * (1 - s);
    },
    apply: (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(x))),
    identifier: 'swish',
    layer: activationLayer('swish'),
  },
  {
    name: 'mish',
    label: 'Mish',
    description: 'x * tanh(softplus(x)); Misra 2019',
    fn: (x) => x * Math.tanh(softplus(x)),
    derivative: (x) => {
      const t = Math.tanh(softplus(x));
      return t + x * (1 - t * t) * sigmoid(x);
    },
    apply: (x) => tf.tidy(() => tf.mul(x, tf.tanh(tf.softplus(x)))),
    identifier: 'mish',
    layer: activationLayer('mish'),
  },
  {
    name: 'softplus',
    label: 'Softplus',
    description: 'ln(1 + e^x); Dugas et al. 2001',
    fn: softplus,
    derivative: sigmoid,
    apply: (x) => tf.softplus(x),
    identifier: 'softplus',
    layer: activationLayer('softplus'),
  },
  {
    name: 'tanh',
    label: 'Tanh',
    description: 'tanh(x)',
    fn: Math.tanh,
    derivative: (x) => 1 - Math.tanh(x) ** 2,
    apply: (x) => tf.tanh(x),
    identifier: 'tanh',
    layer: activationLayer('tanh'),
  },
  {
    name: 'sigmoid',
    label: 'Sigmoid',
    description: '1 / (1 + e^-x)',
    fn: sigmoid,
    derivative: (x) => sigmoid(x) * (1 - sigmoid(x)),
    apply: (x) => tf.sigmoid(x),
    identifier: 'sigmoid',
    layer: activationLayer('sigmoid'),
  },
  {
    name: 'linear',
    label: 'Linear',
    description: 'x (no activation)',
    fn: (x) => x,
    derivative: () => 1,
    apply: (x) => tf.clone(x),
    identifier: 'linear',
    layer: activationLayer('linear'),
  },
];

const byName = new Map<string, ActivationSpec>(specs.map((s) => [s.name, s]));


/** Every activation of the zoo, in {@link ACTIVATION_NAMES} order. */
export const activations: readonly ActivationSpec[] = specs;

/**
 * The zoo entry for a name or alias. Throws an error listing the known names when there is
 * none.
 */
export function getActivation(name: string): ActivationSpec {
  return byName.get(activationName(name))!;
}
