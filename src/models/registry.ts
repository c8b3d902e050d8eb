import { UserError } from '../errors.js';
import { buildLstm, checkLstmInput } from './lstm.js';
import { buildMlp, checkMlpInput } from './mlp.js';
import { buildResNet, checkResNetInput, parseResNetName, RESNET_DEPTHS, resnetConfig } from './resnet.js';
import { buildSeedCnn } from './seed_cnn.js';
import type { ModelDefinition, ModelInput } from './types.js';

/** seed-cnn's two valid 3x3 convolutions and 2x2 poolings leave 1x1 from 10x10 images. */
const SEED_CNN_MIN_SIZE = 10;

const definitions: ModelDefinition[] = [
  {
    name: 'seed-cnn',
    description: "The original article's small CNN: 2 x (Conv2D 3x3 + activation + MaxPool 2x2), Dense softmax",
    accepts: ['image'],
    checkInput: ({ inputShape: s }) => {
      if (s.length !== 3 || s[0] < SEED_CNN_MIN_SIZE || s[1] < SEED_CNN_MIN_SIZE) {
        throw new UserError(`seed-cnn needs images [height, width, channels] of at least ${SEED_CNN_MIN_SIZE}x${SEED_CNN_MIN_SIZE}, got [${s.join(', ')}]`);
      }
    },
    build: buildSeedCnn,
  },
  {
    name: 'mlp',
    description: 'Fully connected classifier: (Flatten) -> Dense + activation per hidden layer (default 256, 128) -> Dense softmax',
    accepts: ['tabular', 'image'],
    checkInput: checkMlpInput,
    build: buildMlp,
  },
  ...RESNET_DEPTHS.map(
    (depth): ModelDefinition => ({
      name: `resnet-${depth}`,
      description:
        depth === 164
          ? 'Pre-activation ResNet-164 (He et al. 2016), bottleneck units, 1.7M parameters on CIFAR-10'
          : `Pre-activation ResNet-${depth} (He et al. 2016), two-convolution units`,
      accepts: ['image'],
      checkInput: checkResNetInput,
      build: (options) => buildResNet(options, resnetConfig(depth)),
    }),
  ),
  {
    name: 'lstm',
    description: "Embedding(128) -> LSTM(128) with the activation in place of the LSTM's tanh -> Dense softmax",
    accepts: ['text'],
    checkInput: (input) => checkLstmInput(input),
    checkActivation: (activation) => checkLstmInput({ inputShape: [1], vocabularySize: 2 }, activation),
    build: buildLstm,
  },
];

/** Every model the project can build, by name. */
export const models: readonly ModelDefinition[] = definitions;

/**
 * Adds a model architecture (e.g. one of your own) under `definition.name`, so that
 * `compare`, `bench` and `summary` can use it. Names must be unique.
 */
export function registerModel(definition: ModelDefinition): void {
  if (definitions.some((d) => d.name === definition.name)) throw new Error(`model '${definition.name}' is already registered`);
  definitions.push(definition);
}

/**
 * The model named `name`; a `UserError` listing the known ones otherwise (and the valid
 * depths for a ResNet of another depth).
 */
export function getModel(name: string): ModelDefinition {
  const def = definitions.find((d) => d.name === name);
  if (def !== undefined) return def;
  const depth = parseResNetName(name);
  if (depth !== undefined) resnetConfig(depth);
  throw new UserError(`unknown model '${name}'; known: ${definitions.map((d) => d.name).join(', ')}`);
}

/**
 * Throws a `UserError` when `definition` cannot be trained on data of `input`'s kind and shape,
 * or with one of `activations`, naming the model, the data set and the reason.
 */
export function checkModelFits(definition: ModelDefinition, dataset: string, input: ModelInput, activations: readonly string[] = []): void {
  if (!definition.accepts.includes(input.kind)) {
    throw new UserError(`model '${definition.name}' does not fit data set '${dataset}' (${input.kind} data; it takes ${definition.accepts.join(', ')})`);
  }
  try {
    definition.checkInput?.(input);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`model '${definition.name}' does not fit data set '${dataset}': ${err.message}`);
    throw err;
  }
  for (const a of activations) definition.checkActivation?.(a);
}
