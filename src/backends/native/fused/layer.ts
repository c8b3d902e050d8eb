/**
 * A tfjs-layers layer for the fused training path: Conv2D (+ bias) -> activation -> MaxPool2D
 * as one block, the same function and weights as Keras's three layers (kernel [kh, kw, in,
 * filters], bias [filters]). On `native` it runs as two kernels forward and three backward;
 * elsewhere it composes standard ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { activationMaxPool, conv2dBias } from './ops.js';
import { POOL_ACTIVATIONS, type PoolActivation } from './kernel_names.js';

type Pair = number | [number, number];
type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

export interface ConvActivationPoolArgs {
  filters: number;
  kernelSize: Pair;
  /** Convolution strides; default 1. */
  strides?: Pair;
  /** Convolution padding; default `'valid'`. */
  padding?: 'valid' | 'same';
  activation: PoolActivation;
  poolSize: Pair;
  /** Default: `poolSize`. */
  poolStrides?: Pair;
  /** Default `'valid'`. */
  poolPadding?: 'valid' | 'same';
  /** Default Glorot uniform, as Keras. */
  kernelInitializer?: Initializer;
  /** Default zeros. */
  biasInitializer?: Initializer;
  inputShape?: tfl.Shape;
  name?: string;
  trainable?: boolean;
}

const pair = (p: Pair): [number, number] => (typeof p === 'number' ? [p, p] : p);

export class ConvActivationPool extends tfl.layers.Layer {
  static readonly className = 'LishtConvActivationPool';
  private readonly args: Required<Omit<ConvActivationPoolArgs, 'kernelInitializer' | 'biasInitializer' | 'inputShape' | 'name' | 'trainable'>>;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private kernel?: tfl.LayerVariable;
  private bias?: tfl.LayerVariable;

  constructor(args: ConvActivationPoolArgs) {
    super({ name: args.name, trainable: args.trainable, inputShape: args.inputShape });
    if (!(args.activation in POOL_ACTIVATIONS)) throw new Error(`ConvActivationPool: activation must be one of ${Object.keys(POOL_ACTIVATIONS).join(', ')}`);
    this.args = {
      filters: args.filters,
      kernelSize: args.kernelSize,
      strides: args.strides ?? 1,
      padding: args.padding ?? 'valid',
      activation: args.activation,
      poolSize: args.poolSize,
      poolStrides: args.poolStrides ?? args.poolSize,
      poolPadding: args.poolPadding ?? 'valid',
    };
    this.kernelInitializer = args.kernelInitializer ?? tfl.initializers.glorotUniform({});
    this.biasInitializer = args.biasInitializer ?? tfl.initializers.zeros();
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const [kh, kw] = pair(this.args.kernelSize);
    const channels = shape[shape.length - 1] as number;
    this.kernel = this.addWeight('kernel', [kh, kw, channels, this.args.filters], 'float32', this.kernelInitializer);
    this.bias = this.addWeight('bias', [this.args.filters], 'float32', this.biasInitializer);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [batch, h, w, c] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const [kh, kw] = pair(this.args.kernelSize);
    const conv = tf.backend_util.computeConv2DInfo([1, h!, w!, c!], [kh, kw, c!, this.args.filters], this.args.strides, 1, this.args.padding);
    const pool = tf.backend_util.computePool2DInfo(conv.outShape as [number, number, number, number], this.args.poolSize, this.args.poolStrides, 1, this.args.poolPadding);
    return [batch, pool.outHeight, pool.outWidth, this.args.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const kernel = this.kernel!.read() as tf.Tensor4D;
      const bias = this.bias!.read() as tf.Tensor1D;
      const z = conv2dBias(x, kernel, bias, { strides: this.args.strides, pad: this.args.padding });
      return activationMaxPool(z, this.args.activation, { poolSize: this.args.poolSize, strides: this.args.poolStrides, pad: this.args.poolPadding });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}

tf.serialization.registerClass(ConvActivationPool);

/** `new ConvActivationPool(args)`, in the style of `tf.layers.*`. */
export function convActivationPool(args: ConvActivationPoolArgs): ConvActivationPool {
  return new ConvActivationPool(args);
}
