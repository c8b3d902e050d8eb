/**
 * Issue 22: models Keras wrote (Keras 3 .keras, legacy .h5, tensorflowjs_converter's model.json
 * of both) load with loadKerasModel and predict what Keras predicted; every activation name
 * Keras can write is either computed as Keras computes it or refused naming the layer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { getActivation, readKerasModel, UserError } from '../../src/index.js';
import { kerasActivationClass } from '../../src/keras/activations.js';
import { normalizeKerasConfig } from '../../src/keras/config.js';
import { useBackend } from '../helpers/backends.js';
import { FIXTURES, FORMATS, MODELS, RTOL, bytesOf, differences, predictions, sourceOf } from './fixtures.js';

for (const model of MODELS) {
  for (const format of FORMATS) {
    test(`issue 22: ${model} (${format}) predicts Keras's outputs within ${RTOL}`, async () => {
      await useBackend('cpu');
      const expected = predictions(model);
      const loaded = await readKerasModel(sourceOf(model, format));
      assert.equal(loaded.format, format.startsWith('tfjs') ? 'tfjs' : format);
      assert.equal(loaded.kerasVersion, expected.keras_version);
      const diffs = differences(loaded.model, expected);
      const bad = [...diffs].filter(([, d]) => !(d <= RTOL));
      assert.deepEqual(bad, [], `outputs off by more than ${RTOL}`);
      loaded.model.dispose();
    });
  }
}

test('issue 22: the article CNN also predicts Keras\'s outputs on wasm', async () => {
  await useBackend('wasm');
  const loaded = await readKerasModel(sourceOf('cnn_lisht', 'keras'));
  assert.deepEqual([...differences(loaded.model, predictions('cnn_lisht'))].filter(([, d]) => !(d <= RTOL)), []);
  loaded.model.dispose();
  await useBackend('cpu');
});

const names = JSON.parse(readFileSync(join(FIXTURES, 'activation_names.json'), 'utf8')) as { keras3: string[]; addons: string[] };

test('issue 22: every activation name Keras 3 and tfa write is mapped and checked against Keras, or refused naming the layer', async () => {
  await useBackend('cpu');
  const { model } = await readKerasModel(sourceOf('zoo_mlp', 'keras'));
  const diffs = differences(model, predictions('zoo_mlp'));
  const site = { layer: 'dense_x', className: 'Dense' };
  const unchecked: string[] = [];
  for (const name of [...names.keras3, ...names.addons]) {
    let mapped = true;
    try {
      kerasActivationClass(name, 3, site);
    } catch (err) {
      mapped = false;
      assert.ok(err instanceof UserError && err.exitCode === 65, `${name}: ${String(err)}`);
      assert.match(err.message, new RegExp(`^cannot load layer 'dense_x' \\(Dense\\): activation '${name}': .+`));
    }
    // A mapped name must have been computed against Keras's own outputs (its branch of the zoo MLP).
    const output = `dense_${name.replace('Addons>', 'addons_')}`;
    if (mapped && !(diffs.get(output)! <= RTOL)) unchecked.push(`${name}: ${diffs.get(output)}`);
  }
  assert.deepEqual(unchecked, []);
  assert.ok(names.keras3.length >= 30, `${names.keras3.length} Keras names`);
  model.dispose();
});

test('issue 22: glu and threshold are refused with the layer, its class and what to do', async () => {
  for (const [file, layer, className] of [
    ['refuse_glu', 'dense_glu', 'Dense'],
    ['refuse_threshold', 'act_threshold', 'Activation'],
    ['refuse_lambda', 'times_three', 'Lambda'],
    ['refuse_custom_layer', 'scale', 'Scale'],
  ] as const) {
    await assert.rejects(readKerasModel(bytesOf(join(FIXTURES, `${file}.keras`))), (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      assert.equal(err.exitCode, 65);
      assert.match(err.message, new RegExp(`^cannot load layer '${layer}' \\(${className}\\): .+; .+`));
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  }
});

test("issue 22: Keras 2's names: hard_sigmoid is 0.2x + 0.5 there, x/6 + 0.5 in Keras 3", () => {
  const site = { layer: 'd', className: 'Dense' };
  const k2 = kerasActivationClass('hard_sigmoid', 2, site);
  const k3 = kerasActivationClass('hard_sigmoid', 3, site);
  assert.notEqual(k2, k3);
  const registry = tf.serialization.SerializationMap.getMap().classNameMap;
  const x = tf.tensor1d([-4, -1, 0, 1, 2, 4]);
  const apply = (name: string) => (new (registry[name]![0] as unknown as new () => { apply(t: tf.Tensor): tf.Tensor })()).apply(x).arraySync() as number[];
  // Keras 2.x: clip(0.2 x + 0.5, 0, 1) (its documented formula; Keras 2 does not run here).
  assert.deepEqual(apply(k2).map((v) => Math.round(v * 1e6) / 1e6), [0, 0.3, 0.5, 0.7, 0.9, 1]);
  assert.deepEqual(apply(k3).map((v) => Math.round(v * 1e6) / 1e6), [0, 0.333333, 0.5, 0.666667, 0.833333, 1]);
  // Keras 2's string form of a registered function, 'Addons>lisht' (Keras <= 2.12), and the dict form.
  assert.equal(kerasActivationClass('Addons>lisht', 2, site), 'lisht');
  assert.equal(kerasActivationClass({ class_name: 'function', config: 'Addons>lisht' }, 2, site), 'lisht');
});

test("issue 22: Keras 2's config forms (batch_input_shape, 'Addons>lisht' as a plain string, list nodes) load and predict as Keras", async () => {
  // Keras 3's legacy .h5 config, rewritten as Keras <= 2.12 wrote it.
  const folder = join(FIXTURES, 'cnn_lisht.tfjs-h5');
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
  const text = JSON.stringify(json.modelTopology)
    .replace(/\{"module": ?"builtins", ?"class_name": ?"function", ?"config": ?"(Addons>lisht)", ?"registered_name": ?"function"\}/g, '"$1"')
    .replace(/"batch_shape"/g, '"batch_input_shape"')
    .replace(/"keras_version": ?"3[^"]*"/, '"keras_version": "2.12.0"');
  assert.match(text, /"activation": ?"Addons>lisht"/);
  json.modelTopology = JSON.parse(text);
  const weights = json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p: string) => bytesOf(join(folder, p))));
  const loaded = await readKerasModel({ modelJson: json, weights });
  assert.deepEqual([...differences(loaded.model, predictions('cnn_lisht'))].filter(([, d]) => !(d <= RTOL)), []);
  loaded.model.dispose();
});

test("issue 22: the zoo's leaky_relu now has Keras's slope, 0.2", () => {
  const x = tf.tensor1d([-2, 3]);
  assert.deepEqual(getActivation('leaky_relu').apply(x).arraySync(), [-0.4000000059604645, 3]);
  assert.equal(getActivation('leaky_relu').fn(-2), -0.4);
});

test('issue 22: a Keras 3 config translates to the topology tfjs-layers reads', () => {
  const config = JSON.parse(new TextDecoder().decode(bytesOf(join(FIXTURES, 'two_inputs.tfjs-keras/model.json'))));
  const { topology, layers } = normalizeKerasConfig(config.modelTopology, 3);
  const text = JSON.stringify(topology);
  assert.doesNotMatch(text, /__keras_tensor__|batch_shape|"module"|DTypePolicy/);
  assert.match(text, /"batch_input_shape":\[null,6\]/);
  // .keras folders by class and order: the weights of layer 'branch_b' live in layers/dense_1.
  assert.equal(layers.find((l) => l.name === 'branch_b')?.weightsPath, 'layers/dense_1');
});

test("issue 22: the optimizer's state Keras saves (optimizer/vars/N) is passed over, in .keras and in the converter's model.json", async () => {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, 'bn_dropout.tfjs-keras/model.json'), 'utf8')) as { weightsManifest: { weights: { name: string }[] }[] };
  const names = manifest.weightsManifest.flatMap((g) => g.weights.map((w) => w.name));
  assert.ok(names.some((n) => n.startsWith('optimizer/vars/')), 'the fixture holds optimizer state');
  for (const format of ['keras', 'tfjs-keras'] as const) {
    const { model } = await readKerasModel(sourceOf('bn_dropout', format));
    assert.equal(model.countParams(), 340);
    model.dispose();
  }
});
