import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BACKEND_NAMES, selectBackend } from '../../src/backends/select_browser.js';

test('the browser-safe selectBackend starts a registered backend and names the package of one that is not', async () => {
  assert.deepEqual([...BACKEND_NAMES], ['auto', 'webgpu', 'webgl', 'wasm', 'cpu']);
  assert.equal(await selectBackend('cpu'), 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  // Node has no webgl backend registered here: the error says what to import.
  await assert.rejects(selectBackend('webgl'), /backend 'webgl' is not registered: import '@tensorflow\/tfjs-backend-webgl'/);
  await assert.rejects(selectBackend('native'), /unknown backend 'native'; choose one of auto, webgpu, webgl, wasm, cpu/);
  // auto skips the unregistered GPU backends and says nothing about them when one starts.
  assert.equal(await selectBackend('auto'), tf.findBackendFactory('wasm') === null ? 'cpu' : 'wasm');
});
