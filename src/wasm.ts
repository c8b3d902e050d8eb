/**
 * `lisht/wasm`: this package's wasm training kernels, for pages that start the wasm backend
 * themselves (`tf.setBackend('wasm')`) rather than through `selectBackend('wasm')`, which
 * registers them by itself. Stock tfjs-backend-wasm has no `Conv2DBackpropFilter`, so without
 * them `model.fit` on a convolutional network fails. Browser-safe; import
 * `@tensorflow/tfjs-backend-wasm` first.
 *
 * ```js
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmTrainingKernels } from 'lisht/wasm';
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * ```
 */
export { registerWasmTrainingKernels, wasmTrainingKernelNames } from './backends/wasm/register.js';
