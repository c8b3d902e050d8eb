/**
 * lisht: the LiSHT activation (`x * tanh(x)`) and friends for TensorFlow.js.
 *
 * Importing this module registers the `Lisht` kernels and gradient for the `cpu`, `wasm`,
 * `webgl`, `webgpu` and `tensorflow` backends, and makes `activation: 'lisht'` (and
 * `'leaky_relu'`, `'silu'`) valid in every tfjs-layers layer.
 */
import './backends/tensor_methods.js';
export * from './activations/index.js';
export { UserError } from './errors.js';
export { VERSION } from './version.js';
