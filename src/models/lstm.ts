/**
 * The LiSHT paper's recurrent model for tweet sentiment: Embedding -> LSTM -> Dense softmax,
 * with the chosen activation in place of the LSTM's tanh.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { getActivation } from '../activations/zoo.js';
import { UserError } from '../errors.js';
import { asActivationOption } from './activation_block.js';
import { orthogonal } from './orthogonal.js';
import type { ModelBuildOptions, ModelInput } from './types.js';

/** Width of the word vectors (Keras's IMDB LSTM example's 128; our choice, not the paper's). */
export const LSTM_EMBEDDING_DIM = 128;
/** Units of the LSTM layer (also Keras's example's 128). */
export const LSTM_UNITS = 128;

/**
 * `lstm` takes padded sequences of token ids [sequenceLength] and needs the vocabulary size.
 * PReLU is refused: it has weights, and an LSTM's activation is a stateless function.
 */
export function checkLstmInput(input: Pick<ModelInput, 'inputShape' | 'vocabularySize'>, activation?: string): void {
  const s = input.inputShape;
  if (s.length !== 1 || !Number.isSafeInteger(s[0]) || s[0] < 1) {
    throw new UserError(`lstm needs token sequences [sequenceLength], got [${s.join(', ')}]`);
  }
  const v = input.vocabularySize;
  if (v === undefined || !Number.isSafeInteger(v) || v < 2) {
    throw new UserError(`lstm needs the vocabulary size (number of token ids, padding and out-of-vocabulary included), got ${v}`);
  }
  if (activation !== undefined && getActivation(activation).identifier === undefined) {
    throw new UserError(`lstm cannot use '${activation}': it has learned weights and exists only as a layer, while an LSTM's activation is a function inside the cell; choose another activation`);
  }
}

/**
 * Embedding(vocabularySize, 128) -> LSTM(128) -> Dense(classes, softmax).
 *
 * The activation replaces both tanh of the LSTM (the candidate cell state and the output
 * `h = o * act(c)`), as the paper does; the gates keep the logistic sigmoid (tf.keras's
 * default; tfjs-layers' own default is the hard sigmoid). Initial weights as Keras's:
 * Glorot-uniform kernel, orthogonal recurrent kernel, forget-gate bias 1. For two classes a
 * softmax over two units is exactly a sigmoid unit (softmax(z)[1] = sigmoid(z1 - z0)), so the training loop's
 * sparse categorical cross-entropy equals binary cross-entropy. Padding (id 0, in front of
 * the tweet as Keras's pad_sequences puts it) is not masked, as in Keras's IMDB example.
 */
export function buildLstm({ inputShape, numClasses, activation, seed, vocabularySize }: ModelBuildOptions): tfl.Sequential {
  checkLstmInput({ inputShape, vocabularySize }, activation);
  const spec = getActivation(activation);
  const s = (i: number) => (seed === undefined ? undefined : seed * 100 + i);
  const model = tfl.sequential({ name: `lstm_${spec.name}` });
  model.add(
    tfl.layers.embedding({
      inputDim: vocabularySize!,
      outputDim: LSTM_EMBEDDING_DIM,
      inputLength: inputShape[0],
      inputShape,
      embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: s(1) }),
      name: 'embedding',
    }),
  );
  model.add(
    tfl.layers.lstm({
      units: LSTM_UNITS,
      activation: asActivationOption(spec.identifier!),
      recurrentActivation: 'sigmoid',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: s(2) }),
      recurrentInitializer: orthogonal({ seed: s(3) }),
      name: 'lstm',
    }),
  );
  model.add(tfl.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: s(4) }), name: 'dense' }));
  return model;
}
