import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** The backends every test of numeric behaviour runs on here. */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;

/** Switches TensorFlow.js to `name` and waits until it is ready. */
export async function useBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}
