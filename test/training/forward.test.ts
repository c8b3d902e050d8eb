/**
 * `forward` on `wasm`: training goes through the fused ops' compositions, with model.apply's
 * values and gradients, and without the first convolution's input gradient; inference stays
 * model.apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '../../src/register.js';
import { registerWasmTrainingKernels } from '../../src/backends/wasm/register.js';
import { getModel } from '../../src/models/registry.js';
import { forward } from '../../src/training/forward.js';
import { sparseCategoricalCrossentropy } from '../../src/training/losses.js';
import { trainableVariables } from '../../src/training/fit.js';
import { useBackend } from '../helpers/backends.js';
import { assertValuesClose, lcgValues } from '../helpers/kernels.js';

registerWasmTrainingKernels();

test('on wasm, training through forward matches model.apply and skips the first convolution input gradient', async () => {
  await useBackend('wasm');
  for (const activation of ['relu', 'lisht']) {
    const model = getModel('seed-cnn').build({ inputShape: [32, 32, 3], numClasses: 10, activation, seed: 5 });
    const vars = trainableVariables(model);
    const x = tf.tensor4d(lcgValues(4 * 32 * 32 * 3, 3), [4, 32, 32, 3]);
    const y = tf.tensor1d([0, 3, 7, 9], 'int32');
    const run = async (f: (t: tf.Tensor) => tf.Tensor) => {
      let out: Float32Array[] = [];
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => sparseCategoricalCrossentropy(f(x), y), vars);
        out = [value, ...vars.map((v) => grads[v.name]!)].map((t) => Float32Array.from(t.dataSync()));
        tf.dispose([value, ...Object.values(grads)]);
      });
      return { out, inputGradients: info.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length };
    };
    const fused = await run((t) => forward(model, t, true));
    const plain = await run((t) => model.apply(t, { training: true }) as tf.Tensor);
    assert.equal(fused.inputGradients, 1, `${activation}: only the second convolution's input gradient`);
    // tfjs-layers fuses a linear convolution (LiSHT's) with a custom gradient that computes both.
    assert.equal(plain.inputGradients, activation === 'lisht' ? 2 : 1, `${activation}: model.apply's input gradients`);
    fused.out.forEach((g, i) => assertValuesClose(g, plain.out[i]!, `${activation} loss/gradient ${i}`));
    const infer = await tf.profile(() => forward(model, x, false).dispose());
    assert.ok(infer.kernels.some((k) => k.name === 'FusedConv2D'), `${activation}: inference keeps the fused convolution`);
    tf.dispose([x, y]);
    model.dispose();
  }
});
