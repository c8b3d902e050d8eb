/**
 * The residual units of the pre-activation ResNet (He et al. 2016, "Identity Mappings in Deep
 * Residual Networks"): every convolution is preceded by batch normalization and the
 * activation (BN -> act -> conv), and the sum of residual and shortcut is passed on untouched.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { ActivationSpec } from '../activations/zoo.js';
import { ZeroPadShortcut } from './zero_pad_shortcut.js';

type Sym = tfl.SymbolicTensor;

/**
 * Batch normalization as He et al. trained it in Torch (momentum 0.1 there, 0.9 in Keras's
 * convention; epsilon 1e-5), rather than Keras's 0.99 / 1e-3: with 0.99 the moving averages
 * lag far behind in short runs, and validation then measures stale statistics.
 */
export const BN_MOMENTUM = 0.9;
export const BN_EPSILON = 1e-5;

/** Makes the layers of one network: activation, seeded initializers, unique names. */
export class ResNetLayers {
  private layerIndex = 0;

  constructor(
    private readonly activation: ActivationSpec,
    private readonly seed: number | undefined,
  ) {}

  /** He-normal (Keras's `he_normal`: truncated normal, fan-in), a fresh seed per layer. */
  private heNormal() {
    this.layerIndex++;
    return tfl.initializers.heNormal({ seed: this.seed === undefined ? undefined : this.seed * 1000 + this.layerIndex });
  }

  /**
   * A convolution without bias: each one is followed by batch normalization (the next unit's,
   * or the final one), whose beta makes a bias redundant.
   */
  conv(x: Sym, filters: number, kernelSize: number, strides: number, name: string): Sym {
    return tfl.layers
      .conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: this.heNormal(), name })
      .apply(x) as Sym;
  }

  /** BN -> activation. PReLU gets one learned slope per channel, as in He et al. 2015. */
  preActivation(x: Sym, name: string): Sym {
    const bn = tfl.layers.batchNormalization({ momentum: BN_MOMENTUM, epsilon: BN_EPSILON, name: `${name}_bn` }).apply(x) as Sym;
    return this.activation.layer({ name: `${name}_${this.activation.name}`, sharedAxes: [1, 2] }).apply(bn) as Sym;
  }

  dense(x: Sym, units: number, name: string): Sym {
    this.layerIndex++;
    const seed = this.seed === undefined ? undefined : this.seed * 1000 + this.layerIndex;
    return tfl.layers.dense({ units, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed }), name }).apply(x) as Sym;
  }
}

/** Where a unit's shortcut comes from when the unit changes shape. */
export type ShortcutType = 'zero-pad' | 'projection';

/**
 * Which paths a unit's first BN -> activation feeds, as in He et al.'s code:
 * - `none`: the first unit, whose input conv1 -> BN -> act already is (He et al. 2016, 4.1:
 *   "the first activation right after conv1 and before splitting into two paths");
 * - `both`: a unit that changes shape, whose shortcut takes the pre-activated input too;
 * - `residual`: every other unit; the shortcut is the untouched identity.
 */
export type PreActivation = 'none' | 'both' | 'residual';

/** Shape of one residual unit. */
export interface UnitShape {
  /** Output channels of the unit. */
  filters: number;
  /** Stride of the unit's spatial convolution (2 where a stage halves the resolution). */
  strides: number;
  /** 1x1 -> 3x3 -> 1x1 with `filters / 4` channels inside (ResNet-164), else 3x3 -> 3x3. */
  bottleneck: boolean;
  shortcut: ShortcutType;
  preActivation: PreActivation;
}

/** Whether a unit from `inChannels` changes shape (and so needs a non-identity shortcut). */
export function changesShape(inChannels: number, shape: Pick<UnitShape, 'filters' | 'strides'>): boolean {
  return shape.strides !== 1 || inChannels !== shape.filters;
}

/**
 * One pre-activation residual unit: the residual branch is (BN -> act ->) conv, BN -> act ->
 * conv (three convolutions for bottleneck units), added to the shortcut. Where the unit
 * changes shape, the shortcut is option A (subsample + zero channels, no weights) or option B
 * (strided 1x1 convolution).
 */
export function residualUnit(layers: ResNetLayers, x: Sym, shape: UnitShape, name: string): Sym {
  const inChannels = x.shape[x.shape.length - 1] as number;
  const pre = shape.preActivation === 'none' ? x : layers.preActivation(x, `${name}_pre`);
  const shortcutInput = shape.preActivation === 'both' ? pre : x;
  let shortcut = shortcutInput;
  if (changesShape(inChannels, shape)) {
    shortcut =
      shape.shortcut === 'projection'
        ? layers.conv(shortcutInput, shape.filters, 1, shape.strides, `${name}_shortcut`)
        : (new ZeroPadShortcut({ filters: shape.filters, strides: shape.strides, name: `${name}_shortcut` }).apply(shortcutInput) as Sym);
  }
  let y: Sym;
  if (shape.bottleneck) {
    const inner = shape.filters / 4;
    y = layers.conv(pre, inner, 1, 1, `${name}_conv1`);
    // The stride sits in the 3x3 convolution, as in fb.resnet.torch's pre-activation ResNet.
    y = layers.conv(layers.preActivation(y, `${name}_mid1`), inner, 3, shape.strides, `${name}_conv2`);
    y = layers.conv(layers.preActivation(y, `${name}_mid2`), shape.filters, 1, 1, `${name}_conv3`);
  } else {
    y = layers.conv(pre, shape.filters, 3, shape.strides, `${name}_conv1`);
    y = layers.conv(layers.preActivation(y, `${name}_mid`), shape.filters, 3, 1, `${name}_conv2`);
  }
  return tfl.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as Sym;
}
