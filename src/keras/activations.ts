/**
 * Keras's activation names, each mapped to a TensorFlow.js activation that computes what Keras
 * computes (not what a TensorFlow.js namesake computes: Keras 3's `hard_sigmoid` is x/6 + 1/2,
 * tfjs's is 0.2x + 1/2). Each is registered with tfjs-layers under its own lowerCamelCase class
 * name (`kerasHardSigmoid`): tfjs writes it snake_cased into a saved model.json and camel-cases
 * it back on loading, which returns exactly that name.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lisht } from '../activations/ops/lisht.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';

type Fn = (x: tf.Tensor) => tf.Tensor;


const relu6 = (x: tf.Tensor) => tf.clipByValue(x, 0, 6);
/** Keras 3: relu6(x + 3) / 6. */
const hardSigmoid3 = (x: tf.Tensor) => tf.div(relu6(tf.add(x, 3)), 6);
/** Keras 2 (and TensorFlow.js): clip(0.2 x + 0.5, 0, 1). */
const hardSigmoid2 = (x: tf.Tensor) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
const softplus = (x: tf.Tensor) => tf.softplus(x);
const shrink = (x: tf.Tensor, lower: number, upper: number, shift: boolean) =>
  tf.where(tf.less(x, lower), shift ? tf.sub(x, lower) : x, tf.where(tf.greater(x, upper), shift ? tf.sub(x, upper) : x, tf.zerosLike(x)));

/**
 * Sparsemax along the last axis. `paper`: Martins & Astudillo (2016), tau = (cumsum_k - 1) / k,
 * as tfa computes it. Otherwise Keras 3's formula (every backend), which divides the sum of
 * the cumulative sums over the support instead: its outputs need not sum to 1.
 */
function sparsemax(x: tf.Tensor, paper: boolean): tf.Tensor {
  const n = x.shape[x.rank - 1]!;
  const sorted = tf.topk(x, n).values;
  const cumulative = tf.cumsum(sorted, x.rank - 1);
  const k = tf.range(1, n + 1);
  // support: 1 + k z_k > sum_{j<=k} z_j
  const support = tf.cast(tf.greater(tf.add(1, tf.mul(k, sorted)), cumulative), 'float32');
  const kz = tf.sum(support, -1, true);
  const supported = paper ? sorted : cumulative;
  const tau = tf.div(tf.sub(tf.sum(tf.mul(support, supported), -1, true), 1), kz);
  return tf.relu(tf.sub(x, tau));
}

const geluExact: Fn = (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
const geluTanh: Fn = (x) =>
  tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));

/** One activation as Keras computes it: its registered tfjs class name and its function. */
export interface KerasActivation {
  /** The class name registered with tfjs-layers (e.g. `kerasHardSigmoid`). */
  readonly className: string;
  /** The name Keras 3 writes for it, or undefined when Keras 3 has no such function. */
  readonly keras3Name?: string;
  readonly apply: Fn;
}

function act(className: string, keras3Name: string | undefined, apply: Fn): KerasActivation {
  return { className, keras3Name, apply };
}

const LISHT = act('lisht', undefined, (x) => lisht(x));

/** Keras 3's activation names (keras.activations, its aliases included). */
const KERAS3: Record<string, KerasActivation> = {
  relu: act('kerasRelu', 'relu', (x) => tf.relu(x)),
  leaky_relu: act('kerasLeakyRelu', 'leaky_relu', (x) => tf.leakyRelu(x, 0.2)),
  relu6: act('kerasRelu6', 'relu6', relu6),
  softmax: act('kerasSoftmax', 'softmax', (x) => tf.softmax(x, -1)),
  celu: act('kerasCelu', 'celu', (x) => tf.add(tf.relu(x), tf.minimum(0, tf.expm1(x)))),
  elu: act('kerasElu', 'elu', (x) => tf.elu(x)),
  // tf.selu has Keras's constants; the same op keeps a model saved and reloaded bit-identical.
  selu: act('kerasSelu', 'selu', (x) => tf.selu(x)),
  softplus: act('kerasSoftplus', 'softplus', softplus),
  softsign: act('kerasSoftsign', 'softsign', (x) => tf.div(x, tf.add(1, tf.abs(x)))),
  squareplus: act('kerasSquareplus', 'squareplus', (x) => tf.div(tf.add(x, tf.sqrt(tf.add(tf.square(x), 4))), 2)),
  soft_shrink: act('kerasSoftShrink', 'soft_shrink', (x) => shrink(x, -0.5, 0.5, true)),
  sparse_plus: act('kerasSparsePlus', 'sparse_plus', (x) =>
    tf.where(tf.lessEqual(x, -1), tf.zerosLike(x), tf.where(tf.greaterEqual(x, 1), x, tf.div(tf.square(tf.add(x, 1)), 4))),
  ),
  silu: act('kerasSilu', 'silu', (x) => tf.mul(x, tf.sigmoid(x))),
  gelu: act('kerasGelu', 'gelu', geluExact),
  tanh: act('kerasTanh', 'tanh', (x) => tf.tanh(x)),
  tanh_shrink: act('kerasTanhShrink', 'tanh_shrink', (x) => tf.sub(x, tf.tanh(x))),
  sigmoid: act('kerasSigmoid', 'sigmoid', (x) => tf.sigmoid(x)),
  sparse_sigmoid: act('kerasSparseSigmoid', 'sparse_sigmoid', (x) => tf.clipByValue(tf.mul(tf.add(x, 1), 0.5), 0, 1)),
  exponential: act('kerasExponential', 'exponential', (x) => tf.exp(x)),
  hard_sigmoid: act('kerasHardSigmoid', 'hard_sigmoid', hardSigmoid3),
  hard_silu: act('kerasHardSilu', 'hard_silu', (x) => tf.mul(x, hardSigmoid3(x))),
  hard_tanh: act('kerasHardTanh', 'hard_tanh', (x) => tf.clipByValue(x, -1, 1)),
  hard_shrink: act('kerasHardShrink', 'hard_shrink', (x) => shrink(x, -0.5, 0.5, false)),
  linear: act('kerasLinear', 'linear', (x) => tf.clone(x)),
  mish: act('kerasMish', 'mish', (x) => tf.mul(x, tf.tanh(softplus(x)))),
  log_softmax: act('kerasLogSoftmax', 'log_softmax', (x) => tf.logSoftmax(x, -1)),
  log_sigmoid: act('kerasLogSigmoid', 'log_sigmoid', (x) => tf.neg(softplus(tf.neg(x)))),
  sparsemax: act('kerasSparsemax', 'sparsemax', (x) => sparsemax(x, false)),
};
KERAS3['swish'] = KERAS3['silu']!;
KERAS3['hard_swish'] = KERAS3['hard_silu']!;

/** Keras 2 differs from Keras 3 in one name it shares: hard_sigmoid's slope. */
const KERAS2_OVERRIDES: Record<string, KerasActivation> = {
  hard_sigmoid: act('kerasHardSigmoidLegacy', undefined, hardSigmoid2),
};

/** TensorFlow Addons' registered names, with tfa's default arguments. */
const ADDONS: Record<string, KerasActivation> = {
  'Addons>lisht': LISHT,
  'Addons>mish': KERAS3['mish']!,
  // tfa's gelu defaults to the tanh approximation; Keras's to the exact erf form.
  'Addons>gelu': act('addonsGelu', 'Addons>gelu', geluTanh),
  'Addons>hardshrink': KERAS3['hard_shrink']!,
  'Addons>softshrink': KERAS3['soft_shrink']!,
  'Addons>tanhshrink': KERAS3['tanh_shrink']!,
  'Addons>snake': act('addonsSnake', 'Addons>snake', (x) => tf.add(x, tf.div(tf.sub(1, tf.cos(tf.mul(2, x))), 2))),
  'Addons>sparsemax': act('addonsSparsemax', 'Addons>sparsemax', (x) => sparsemax(x, true)),
  // Outside training, tfa's rrelu uses the mean of its slope range [1/8, 1/3].
  'Addons>rrelu': act('addonsRrelu', 'Addons>rrelu', (x) => tf.where(tf.greaterEqual(x, 0), x, tf.mul(x, (0.125 + 1 / 3) / 2))),
};

/** Names Keras writes that no TensorFlow.js layer can compute as Keras does, and why. */
const REFUSED: Record<string, string> = {
  glu: 'GLU halves the last axis, which a TensorFlow.js layer cannot declare; apply it in a custom layer after loading',
  threshold: "Keras's threshold needs its threshold and default value, which a name cannot carry; use a ReLU layer with `threshold`",
};

/** Every activation class this module registers, once each. */
export const KERAS_ACTIVATIONS: readonly KerasActivation[] = [
  ...new Set([...Object.values(KERAS3), ...Object.values(KERAS2_OVERRIDES), ...Object.values(ADDONS)].filter((a) => a !== LISHT)),
];

/**
 * Keras names of this module's classes and of the tfjs identifiers that compute what Keras's
 * namesake computes, for saving to Keras 3. tfjs's `hardSigmoid` (0.2x + 1/2) is absent on
 * purpose: Keras 3's `hard_sigmoid` is another function.
 */
const TO_KERAS3 = new Map<string, string>([
  ...KERAS_ACTIVATIONS.filter((a) => a.keras3Name !== undefined).map((a) => [a.className, a.keras3Name!] as [string, string]),
  ...['relu', 'elu', 'selu', 'softmax', 'softplus', 'softsign', 'tanh', 'sigmoid', 'linear', 'swish', 'mish', 'relu6', 'gelu'].map(
    (n) => [n, n] as [string, string],
  ),
  ['silu', 'silu'],
  ['leakyRelu', 'leaky_relu'],
  ['leaky_relu', 'leaky_relu'],
]);

/** Where a config's activation came from, for messages: `layer 'dense' (Dense)`. */
export interface ActivationSite {
  readonly layer: string;
  readonly className: string;
}

function refuse(site: ActivationSite, name: string, why: string): never {
  throw new UserError(`cannot load layer '${site.layer}' (${site.className}): activation '${name}': ${why}`, EXIT.DATA);
}

/**
 * The tfjs-layers class name computing the Keras activation `config` (a name, or the dict
 * Keras writes for a registered function), under the semantics of Keras `kerasMajor`.
 * Throws a one-line error naming the layer for a name that cannot be computed as Keras does.
 */
export function kerasActivationClass(config: unknown, kerasMajor: number, site: ActivationSite): string {
  let name: string;
  if (typeof config === 'string') name = config;
  else if (config !== null && typeof config === 'object' && typeof (config as { config?: unknown }).config === 'string') {
    // tf.keras 2.13+ and Keras 3: {"module": "builtins", "class_name": "function", "config": "Addons>lisht", ...}
    name = (config as { config: string }).config;
  } else {
    return refuse(site, JSON.stringify(config), 'an activation object with arguments; only named functions load');
  }
  if (name === 'lisht' || name === 'LiSHT') return LISHT.className;
  const found = (kerasMajor < 3 ? KERAS2_OVERRIDES[name] : undefined) ?? KERAS3[name] ?? ADDONS[name];
  if (found !== undefined) return found.className;
  const why = REFUSED[name];
  if (why !== undefined) return refuse(site, name, why);
  // A model TensorFlow.js saved (lisht's own, or a model loaded here and saved again) names
  // tfjs classes, snake_cased on saving (`keras_hard_sigmoid`); Keras never writes these.
  const tfjsName = tfjsClassName(name);
  if (tfjsName !== undefined) return tfjsName;
  return refuse(
    site,
    name,
    'unknown to Keras and TensorFlow Addons; register a TensorFlow.js activation class under this name with serialization.registerClass before loading',
  );
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The registered tfjs activation class a tfjs-saved name denotes, if any. */
function tfjsClassName(name: string): string | undefined {
  const registry = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const candidate of [name, camel(name)]) if (/^[A-Za-z0-9]+$/.test(candidate) && candidate in registry) return candidate;
  return undefined;
}

/**
 * The name Keras 3 knows for a tfjs activation identifier (as a tfjs layer's config holds it),
 * or undefined for `lisht` and any name Keras 3 has no function for.
 */
export function keras3ActivationName(identifier: string): string | undefined {
  // tfjs's toJSON snake_cases identifiers (`kerasHardSigmoid` -> `keras_hard_sigmoid`).
  return TO_KERAS3.get(identifier) ?? TO_KERAS3.get(camel(identifier));
}

/** Base of the registered activation classes: stateless, an empty config. */
abstract class KerasActivationBase extends tf.serialization.Serializable {
  abstract apply(x: tf.Tensor): tf.Tensor;
  override getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

/** A tfjs-layers activation class for `activation`, registered under its class name. */
function activationClass(activation: KerasActivation) {
  return class extends KerasActivationBase {
    static readonly className = activation.className;
    apply(x: tf.Tensor): tf.Tensor {
      return tf.tidy(() => activation.apply(x));
    }
  };
}

/** The classes for `registerClass` (src/register.ts). */
export const KERAS_ACTIVATION_CLASSES = KERAS_ACTIVATIONS.map(activationClass);
