/**
 * Issue 22: `lisht compare --keras` and `lisht run --keras` save each trained model as a
 * Keras 3 `model.keras` beside its model.json, and that file holds the same model, bit for bit.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '../../src/register.js';
import { loadKerasModelFile } from '../../src/keras/files.js';
import { loadModel } from '../../src/training/model_files.js';
import { useBackend } from '../helpers/backends.js';
import { runCli, tempDir } from '../helpers/env.js';
import { cifarFixture, irisPath, irisSpec } from '../experiments/helpers/experiments.js';

const dir = tempDir('lisht-keras-train-');
after(() => dir.remove());

async function assertSameModel(folder: string): Promise<void> {
  await useBackend('cpu');
  const saved = await loadModel(folder);
  const keras = (await loadKerasModelFile(join(folder, 'model.keras'))).model;
  const shape = saved.inputs[0]!.shape.map((d) => d ?? 2);
  const x = tf.randomUniform(shape, -1, 1, 'float32', 3);
  const bits = (m: tfl.LayersModel) => Array.from(new Uint32Array((m.predict(x) as tf.Tensor).dataSync().slice().buffer));
  assert.deepEqual(bits(keras), bits(saved));
  assert.equal(keras.countParams(), saved.countParams());
  tf.dispose(x);
}

test('issue 22: lisht compare --keras writes models/<activation>/model.keras, the trained model', async () => {
  const out = join(dir.path, 'compare');
  const r = await runCli(['compare', '--data', cifarFixture(dir.path), '--activations', 'lisht,leaky_relu', '--epochs', '1', '--batch-size', '10', '--seed', '7', '--backend', 'wasm', '--keras', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  for (const activation of ['lisht', 'leaky_relu']) await assertSameModel(join(out, 'models', activation));
});

test('issue 22: lisht run --keras writes model.keras beside each trial\'s model; refused with --no-save-models', async () => {
  const db = join(dir.path, 'run.db');
  const spec = irisSpec(dir.path, { epochs: 1 });
  const r = await runCli(['run', spec, '--db', db, '--workers', '1', '--data', `iris=${irisPath(dir.path)}`, '--keras']);
  assert.equal(r.code, 0, r.stderr);
  const trials = readdirSync(`${db}.models`);
  assert.ok(trials.length >= 2, `${trials.length} trial folders`);
  for (const trial of trials) {
    assert.ok(existsSync(join(`${db}.models`, trial, 'model.keras')), trial);
    await assertSameModel(join(`${db}.models`, trial));
  }
  const refused = await runCli(['run', spec, '--db', join(dir.path, 'other.db'), '--keras', '--no-save-models']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--keras .* cannot go with --no-save-models/);
});

test('issue 22: lisht compare --keras with a model Keras 3 cannot express is refused before training', async () => {
  const out = join(dir.path, 'resnet');
  const started = Date.now();
  const r = await runCli(['compare', '--data', cifarFixture(dir.path), '--model', 'resnet-20', '--activations', 'relu', '--epochs', '5', '--batch-size', '10', '--seed', '7', '--backend', 'wasm', '--keras', '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^lisht: error: cannot save layer '.+' \(ZeroPadShortcut\) for Keras: lisht writes no 'ZeroPadShortcut' layer to Keras files \(it writes Dense, .+\)$/m);
  assert.ok(!existsSync(join(out, 'models', 'relu', 'model.json')), 'no model was trained');
  assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
});
