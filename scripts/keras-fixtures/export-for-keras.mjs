// Writes .keras and legacy .h5 files with lisht's writers, each with lisht's predictions on fixed inputs, for
// check_exported.py to load in Keras 3 (a developer check: see README.md). Run after
// `npm run build`: node scripts/keras-fixtures/export-for-keras.mjs OUT_DIR
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVATION_NAMES, buildSeedCnn, loadKerasModel, toKerasFile, toKerasH5File } from '../../dist/src/index.js';

const out = process.argv[2] ?? '/tmp/lisht-exported';
const fixtures = new URL('../../test/fixtures/keras/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
await tf.setBackend('cpu');

async function write(name, model, inputs) {
  writeFileSync(join(out, `${name}.keras`), await toKerasFile(model));
  writeFileSync(join(out, `${name}.h5`), await toKerasH5File(model));
  let outputs = model.predict(inputs.length === 1 ? inputs[0] : inputs);
  if (!Array.isArray(outputs)) outputs = [outputs];
  const record = (t) => ({ shape: t.shape, data: Array.from(t.dataSync()) });
  writeFileSync(join(out, `${name}.lisht-predictions.json`), JSON.stringify({ inputs: inputs.map(record), outputs: outputs.map(record) }));
  console.log('wrote', name);
}

// The article's CNN with every activation of the zoo (random weights: seeded initialisers).
for (const activation of ACTIVATION_NAMES) {
  const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation, seed: 1 });
  await write(`seed_cnn_${activation}`, model, [tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 7)]);
}
// A Functional model with two inputs, written by TensorFlow.js.
const a = tfl.input({ shape: [6], name: 'a' });
const b = tfl.input({ shape: [4], name: 'b' });
const ha = tfl.layers.dense({ units: 8, activation: 'lisht', name: 'da' }).apply(a);
const hb = tfl.layers.dense({ units: 8, activation: 'relu', name: 'db' }).apply(b);
const joined = tfl.layers.concatenate({ name: 'cat' }).apply([ha, hb]);
const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(joined);
const y = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'y' }).apply(tfl.layers.add({ name: 'sum' }).apply([ha, hb]));
const z = tfl.layers.dense({ units: 2, name: 'z' }).apply(bn);
await write('functional_two_inputs', tfl.model({ inputs: [a, b], outputs: [y, z], name: 'functional_two_inputs' }), [
  tf.randomNormal([3, 6], 0, 1, 'float32', 8),
  tf.randomNormal([3, 4], 0, 1, 'float32', 9),
]);
// Keras's own fixtures, loaded by lisht and written back.
for (const name of ['zoo_mlp', 'bn_dropout', 'two_inputs', 'cnn_lisht', 'lstm_text']) {
  const model = await loadKerasModel(new Uint8Array(readFileSync(join(fixtures, `${name}.keras`))));
  const pred = JSON.parse(readFileSync(join(fixtures, `${name}.predictions.json`), 'utf8'));
  await write(`roundtrip_${name}`, model, pred.inputs.map((i) => tf.tensor(i.data, i.shape)));
}
// lisht's own lstm model (Embedding, LSTM) on Sentiment140's input.
{
  const { getModel } = await import('../../dist/src/index.js');
  const { DATASET_INPUTS } = await import('../../dist/src/models/inputs.js');
  const input = DATASET_INPUTS.sentiment140;
  const model = getModel('lstm').build({ ...input, activation: 'lisht', seed: 1 });
  const tokens = tf.tidy(() => tf.floor(tf.randomUniform([3, ...input.inputShape], 0, 50, 'float32', 4)));
  await write('lstm_lisht', model, [tokens]);
}
