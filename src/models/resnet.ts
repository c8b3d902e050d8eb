/**
 * The pre-activation ResNets for small images of He et al. 2016 ("Identity Mappings in Deep
 * Residual Networks"), the ResNets the LiSHT paper trains on CIFAR-10/100 and MNIST, with
 * every ReLU of the original replaced by the chosen activation.
 *
 * conv3x3(16) -> three stages of n residual units (16, 32, 64 channels; 64, 128, 256 for the
 * bottleneck ResNet-164), the second and third halving the resolution -> BN -> activation ->
 * global average pooling -> Dense(classes, softmax). Depth 6n + 2 with two-convolution units,
 * 9n + 2 with bottleneck units.
 *
 * Shortcuts are identities; where a unit changes shape, the two-convolution nets use option A
 * (subsample + zero channels, no weights: He et al. 2015's CIFAR nets) and ResNet-164 uses
 * option B (strided 1x1 projection). So the trainable parameters match the published counts
 * (CIFAR-10: ResNet-20 0.27M, ResNet-56 0.85M, ResNet-110 1.7M, ResNet-164 1.7M); projections
 * everywhere would make ResNet-56 0.86M. Keras's "Total params" also counts batch
 * normalization's moving means and variances (non-trainable), which the papers do not.
 *
 * Convolutions are He-normal initialised and have no bias (batch normalization follows each);
 * weight decay is not part of the model: pass it to the optimizer
 * (`createOptimizer({ weightDecay })`), as He et al.'s SGD applied it.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { getActivation } from '../activations/zoo.js';
import { UserError } from '../errors.js';
import { changesShape, residualUnit, ResNetLayers, type ShortcutType } from './resnet_blocks.js';
import type { ModelBuildOptions, ModelInput } from './types.js';

/** The depths `resnet-N` can be built with, as in the papers. */
export const RESNET_DEPTHS = [20, 56, 110, 164] as const;
export type ResNetDepth = (typeof RESNET_DEPTHS)[number];

/** The layout of a ResNet for small images. */
export interface ResNetConfig {
  depth: number;
  /** Residual units per stage. */
  unitsPerStage: number;
  bottleneck: boolean;
  /** Shortcut of the units that change shape: option A or B of He et al. 2015. */
  shortcut: ShortcutType;
  /** Output channels of the three stages. */
  stageFilters: [number, number, number];
}

/**
 * The layout of the ResNet of the given depth: bottleneck units for 164 (as He et al. 2016),
 * two-convolution units for 20, 56 and 110 (as He et al. 2015).
 */
export function resnetConfig(depth: number): ResNetConfig {
  if (!(RESNET_DEPTHS as readonly number[]).includes(depth)) {
    throw new UserError(`unknown ResNet depth ${depth}; valid depths: ${RESNET_DEPTHS.join(', ')} (models ${RESNET_DEPTHS.map((d) => `resnet-${d}`).join(', ')})`);
  }
  const bottleneck = depth === 164;
  return {
    depth,
    unitsPerStage: bottleneck ? (depth - 2) / 9 : (depth - 2) / 6,
    bottleneck,
    shortcut: bottleneck ? 'projection' : 'zero-pad',
    stageFilters: bottleneck ? [64, 128, 256] : [16, 32, 64],
  };
}

/** The depth in a model name such as `resnet-56`, or `undefined` for other names. */
export function parseResNetName(name: string): number | undefined {
  const match = /^resnet-?(\d+)$/i.exec(name.trim());
  return match === null ? undefined : Number(match[1]);
}

/** Smallest height and width: two stride-2 stages leave at least 1x1 for the last one. */
export const RESNET_MIN_SIZE = 4;

/** A ResNet takes images [height, width, channels] of at least 4x4. */
export function checkResNetInput(input: Pick<ModelInput, 'inputShape'>): void {
  const s = input.inputShape;
  if (s.length !== 3 || s.some((d) => !Number.isSafeInteger(d) || d < 1) || s[0] < RESNET_MIN_SIZE || s[1] < RESNET_MIN_SIZE) {
    throw new UserError(`resnet needs image input [height, width, channels] of at least ${RESNET_MIN_SIZE}x${RESNET_MIN_SIZE}, got [${s.join(', ')}]`);
  }
}

/** Builds the pre-activation ResNet laid out by `config` (see {@link resnetConfig}). */
export function buildResNet(options: ModelBuildOptions, config: ResNetConfig): tfl.LayersModel {
  const { inputShape, numClasses, seed } = options;
  checkResNetInput({ inputShape });
  const spec = getActivation(options.activation);
  const layers = new ResNetLayers(spec, seed);
  const input = tfl.input({ shape: inputShape, name: 'input' });
  let x = layers.preActivation(layers.conv(input, 16, 3, 1, 'conv1'), 'conv1');
  config.stageFilters.forEach((filters, stage) => {
    for (let unit = 0; unit < config.unitsPerStage; unit++) {
      const strides = stage > 0 && unit === 0 ? 2 : 1;
      const first = stage === 0 && unit === 0;
      const inChannels = x.shape[3] as number;
      const preActivation = first ? 'none' : changesShape(inChannels, { filters, strides }) ? 'both' : 'residual';
      const shape = { filters, strides, bottleneck: config.bottleneck, shortcut: config.shortcut, preActivation } as const;
      x = residualUnit(layers, x, shape, `stage${stage + 1}_unit${unit + 1}`);
    }
  });
  x = layers.preActivation(x, 'final');
  x = tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as tfl.SymbolicTensor;
  const output = layers.dense(x, numClasses, 'dense');
  return tfl.model({ inputs: input, outputs: output, name: `resnet${config.depth}_${spec.name}` });
}
