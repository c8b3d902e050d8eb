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

test('issue 21: a registered backend that fails to start is reported with the reason it gave', async (t) => {
  // A stand-in for tfjs-backend-webgl on a machine without WebGL2: its factory throws.
  tf.registerBackend('webgl', () => {
    throw new Error('WebGL is not supported on this device');
  });
  t.after(() => tf.removeBackend('webgl'));
  await assert.rejects(selectBackend('webgl'), /^UserError: backend 'webgl' is registered but failed to initialise: WebGL is not supported on this device$/);
  // auto lists it with its reason and goes on to the next.
  assert.equal(await selectBackend('auto'), tf.findBackendFactory('wasm') === null ? 'cpu' : 'wasm');
});

test('issue 21: webgpu without an adapter says "No available adapters.", not the TypeError of tfjs\u2019s factory', async (t) => {
  const global = globalThis as { navigator?: unknown };
  const saved = Object.getOwnPropertyDescriptor(global, 'navigator');
  // What Chromium offers with WebGPU on but no adapter: navigator.gpu whose request gives null.
  Object.defineProperty(global, 'navigator', { value: { gpu: { requestAdapter: async () => null } }, configurable: true, writable: true });
  // tfjs-backend-webgpu's factory, in short: it reads the adapter's features at once.
  tf.registerBackend('webgpu', async () => {
    const adapter = (await (global.navigator as { gpu: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu.requestAdapter())!;
    adapter.features.has('timestamp-query');
    throw new Error('unreachable');
  });
  t.after(() => {
    if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
    if (saved) Object.defineProperty(global, 'navigator', saved);
    else delete global.navigator;
  });
  await assert.rejects(selectBackend('webgpu'), /^UserError: backend 'webgpu' is registered but failed to initialise: No available adapters\. \(navigator\.gpu\.requestAdapter\(\) returned none\)$/);
  // With no navigator.gpu at all, tfjs-backend-webgpu registers nothing: the error says so.
  tf.removeBackend('webgpu');
  Object.defineProperty(global, 'navigator', { value: {}, configurable: true, writable: true });
  await assert.rejects(selectBackend('webgpu'), /import '@tensorflow\/tfjs-backend-webgpu' before choosing it \(it registers only where navigator\.gpu exists, and it does not here\)/);
});
