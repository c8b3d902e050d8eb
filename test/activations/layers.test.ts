import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { activations, lishtLayer, LiSHT } from '../../src/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

type Artifacts = tf.io.ModelArtifacts;

/** Saves a model to memory and loads it back, as `model.save` / `tf.loadLayersModel` do. */
async function roundTrip(model: tfl.LayersModel): Promise<{ loaded: tfl.LayersModel; artifacts: Artifacts }> {
  let artifacts: Artifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  assert.ok(artifacts);
  return { loaded: await tfl.loadLayersModel(tf.io.fromMemory(artifacts)), artifacts };
}

function glorot(seed: number) {
  return tfl.initializers.glorotUniform({ seed });
}

for (const backend of TEST_BACKENDS) {
  test(`'lisht' works as the activation of Dense, Conv2D and LSTM on ${backend}, and survives save/load`, async () => {
    await useBackend(backend);
    const input = tfl.input({ shape: [6, 6, 2] });
    const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'lisht' as 'relu', kernelInitializer: glorot(1) }).apply(input) as tfl.SymbolicTensor;
    const seq = tfl.layers.reshape({ targetShape: [4, 12] }).apply(conv) as tfl.SymbolicTensor;
    const lstm = tfl.layers.lstm({ units: 5, activation: 'lisht' as 'tanh', kernelInitializer: glorot(2) }).apply(seq) as tfl.SymbolicTensor;
    const dense = tfl.layers.dense({ units: 4, activation: 'lisht' as 'relu', kernelInitializer: glorot(3) }).apply(lstm) as tfl.SymbolicTensor;
    const out = lishtLayer({ name: 'standalone' }).apply(dense) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });

    const x = tf.randomUniform([3, 6, 6, 2], -2, 2, 'float32', 7);
    const before = await (model.predict(x) as tf.Tensor).data();
    const { loaded, artifacts } = await roundTrip(model);
    const after = await (loaded.predict(x) as tf.Tensor).data();
    assert.deepEqual(Array.from(after), Array.from(before));

    const topology = JSON.stringify(artifacts.modelTopology);
    assert.equal(topology.match(/"activation":"lisht"/g)?.length, 3, 'conv, lstm and dense keep activation "lisht"');
    assert.match(topology, /"class_name":"LiSHT"/);
    assert.ok(loaded.getLayer('standalone') instanceof LiSHT);
    // A LiSHT output is never negative.
    assert.ok(Array.from(before).every((v) => v >= 0));
  });

  test(`every zoo activation builds, trains a step and round-trips in a model on ${backend}`, async () => {
    await useBackend(backend);
    for (const spec of activations) {
      const model = tfl.sequential();
      model.add(tfl.layers.dense({ units: 4, inputShape: [3], kernelInitializer: glorot(4) }));
      model.add(spec.layer());
      if (spec.identifier !== undefined) {
        model.add(tfl.layers.dense({ units: 2, activation: spec.identifier as 'relu', kernelInitializer: glorot(5) }));
      }
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
      const x = tf.randomUniform([8, 3], -1, 1, 'float32', 9);
      const y = tf.randomUniform([8, model.outputs[0].shape[1] as number], -1, 1, 'float32', 10);
      const h = await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
      assert.ok(Number.isFinite(h.history.loss[0] as number), spec.name);
      const { loaded } = await roundTrip(model);
      const a = await (model.predict(x) as tf.Tensor).data();
      const b = await (loaded.predict(x) as tf.Tensor).data();
      assert.deepEqual(Array.from(b), Array.from(a), spec.name);
    }
  });

  test(`a small LiSHT network learns a synthetic problem on ${backend}`, async () => {
    await useBackend(backend);
    // y = sin(2 x0) + x1^2 on [-1, 1]^2: smooth, non-linear, learnable in a few hundred steps.
    const n = 256;
    const xs = tf.randomUniform([n, 2], -1, 1, 'float32', 11);
    const [x0, x1] = tf.split(xs, 2, 1);
    const ys = tf.add(tf.sin(tf.mul(x0, 2)), tf.square(x1));
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 32, inputShape: [2], activation: 'lisht' as 'relu', kernelInitializer: glorot(12) }),
        tfl.layers.dense({ units: 32, activation: 'lisht' as 'relu', kernelInitializer: glorot(13) }),
        tfl.layers.dense({ units: 1, kernelInitializer: glorot(14) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const h = await model.fit(xs, ys, { epochs: 60, batchSize: 32, shuffle: false, verbose: 0 });
    const loss = h.history.loss as number[];
    assert.ok(loss[loss.length - 1] < 0.1 * loss[0], `loss ${loss[0]} -> ${loss[loss.length - 1]}`);
  });
}
