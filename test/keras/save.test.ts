/**
 * Issue 22: lisht -> .keras (and legacy .h5) -> lisht keeps every weight bit and every prediction bit; what
 * Keras 3 has no equivalent of is refused by name. (That Keras 3 itself loads these files is
 * the developer check scripts/keras-fixtures/check_exported.py, output in check_exported.txt.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { unzipSync } from 'fflate';
import { ACTIVATION_NAMES, buildSeedCnn, loadKerasModel, readKerasModel, toKerasFile, toKerasH5File, UserError } from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';
import { MODELS, predictions, sourceOf } from './fixtures.js';

function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

/** Asserts two models have the same weights and give the same outputs, bit for bit. */
function assertIdentical(a: tfl.LayersModel, b: tfl.LayersModel, inputs: tf.Tensor[]): void {
  const wa = a.getWeights();
  const wb = b.getWeights();
  assert.equal(wb.length, wa.length);
  wa.forEach((w, i) => {
    assert.deepEqual(wb[i]!.shape, w.shape);
    assert.deepEqual(bits(wb[i]!), bits(w), `weight ${i}`);
  });
  const pa = [a.predict(inputs.length === 1 ? inputs[0]! : inputs)].flat();
  const pb = [b.predict(inputs.length === 1 ? inputs[0]! : inputs)].flat();
  pa.forEach((p, i) => assert.deepEqual(bits(pb[i]!), bits(p), `output ${i}`));
  tf.dispose([...pa, ...pb]);
}

for (const activation of ACTIVATION_NAMES) {
  test(`issue 22: the article CNN with ${activation} survives lisht -> .keras and .h5 -> lisht bit for bit`, async () => {
    await useBackend('cpu');
    const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation, seed: 3 });
    const bytes = await toKerasFile(model);
    const back = await readKerasModel(bytes);
    assert.equal(back.format, 'keras');
    const legacy = await readKerasModel(await toKerasH5File(model));
    assert.equal(legacy.format, 'h5');
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 11);
    assertIdentical(model, back.model, [x]);
    assertIdentical(model, legacy.model, [x]);
    tf.dispose([x]);
    model.dispose();
    back.model.dispose();
    legacy.model.dispose();
  });
}

test('issue 22: LiSHT is written as Keras writes a registered function, named lisht', async () => {
  const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation: 'lisht', seed: 1 });
  const members = unzipSync(await toKerasFile(model));
  assert.deepEqual(Object.keys(members).sort(), ['config.json', 'metadata.json', 'model.weights.h5']);
  const config = new TextDecoder().decode(members['config.json']);
  assert.match(config, /"activation":\{"module":"builtins","class_name":"function","config":"lisht","registered_name":"function"\}/);
  assert.match(new TextDecoder().decode(members['metadata.json']), /"keras_version":"3\./);
  model.dispose();
});

for (const name of MODELS) {
  test(`issue 22: Keras's ${name} survives .keras -> lisht -> .keras and .h5 -> lisht bit for bit`, async () => {
    await useBackend('cpu');
    const first = await loadKerasModel(sourceOf(name, 'keras'));
    const second = await loadKerasModel(await toKerasFile(first));
    const third = await loadKerasModel(await toKerasH5File(first));
    const inputs = predictions(name).inputs.map((i) => tf.tensor(i.data, i.shape, 'float32'));
    assertIdentical(first, second, inputs);
    assertIdentical(first, third, inputs);
    third.dispose();
    tf.dispose(inputs);
    first.dispose();
    second.dispose();
  });
}

test('issue 22: a Functional model with two inputs and two outputs survives the round trip', async () => {
  const a = tfl.input({ shape: [6], name: 'a' });
  const b = tfl.input({ shape: [4], name: 'b' });
  const ha = tfl.layers.dense({ units: 8, activation: 'lisht' as 'relu', name: 'da' }).apply(a) as tfl.SymbolicTensor;
  const hb = tfl.layers.dense({ units: 8, activation: 'relu', name: 'db' }).apply(b) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(tfl.layers.concatenate({ name: 'cat' }).apply([ha, hb])) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'y' }).apply(tfl.layers.add({ name: 'sum' }).apply([ha, hb])) as tfl.SymbolicTensor;
  const z = tfl.layers.dense({ units: 2, name: 'z' }).apply(bn) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [a, b], outputs: [y, z], name: 'two' });
  const back = await loadKerasModel(await toKerasFile(model));
  const legacy = await loadKerasModel(await toKerasH5File(model));
  const inputs = [tf.randomNormal([3, 6], 0, 1, 'float32', 1), tf.randomNormal([3, 4], 0, 1, 'float32', 2)];
  assertIdentical(model, back, inputs);
  assertIdentical(model, legacy, inputs);
  tf.dispose(inputs);
});

test('issue 22: a layer Keras 3 lacks is refused by name when saving', async () => {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation: 'hardSigmoid', name: 'hs' })] });
  await assert.rejects(toKerasFile(model), (err: unknown) => err instanceof UserError && /^cannot save layer 'hs' \(Dense\) for Keras: activation '.*' has no Keras 3 equivalent$/.test(err.message));
});
