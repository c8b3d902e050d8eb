/**
 * The browser test page's script, bundled by esbuild from the compiled JavaScript: the main
 * entry of the package with the four backends, driven from Node through `window.lishtTest`.
 * Float32 values cross the page boundary as their bit patterns (uint32), so NaN, ±Infinity,
 * -0 and subnormals arrive exactly as the kernels wrote them.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { lisht, selectBackend } from '../../../src/index.js';
import { trainingLosses, type TrainingInput } from '../training_case.js';

const bits = (values: Float32Array): number[] => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
const floats = (b: number[]): Float32Array => new Float32Array(Uint32Array.from(b).buffer);

export interface LishtTestApi {
  /** Starts `name`; resolves to null, or to why it could not start. */
  start(name: string, flags?: Record<string, boolean>): Promise<string | null>;
  /** lisht and its gradient at the given float32 bit patterns, as bit patterns. */
  lishtAndGradient(xBits: number[]): Promise<{ value: number[]; gradient: number[] }>;
  train(input: TrainingInput): Promise<number[]>;
  /** A TensorFlow.js flag of the current backend, e.g. WEBGL_RENDER_FLOAT32_ENABLED. */
  flag(name: string): unknown;
}

const api: LishtTestApi = {
  async start(name, flags = {}) {
    for (const [flag, value] of Object.entries(flags)) tf.env().set(flag, value);
    try {
      await selectBackend(name);
    } catch (err) {
      return (err as Error).message;
    }
    return tf.getBackend() === name ? null : `tf.getBackend() is '${tf.getBackend()}' after selecting '${name}'`;
  },
  async lishtAndGradient(xBits) {
    const x = tf.tensor1d(floats(xBits));
    const y = lisht(x);
    const g = tf.grad((v: tf.Tensor) => lisht(v))(x);
    const out = { value: bits((await y.data()) as Float32Array), gradient: bits((await g.data()) as Float32Array) };
    tf.dispose([x, y, g]);
    return out;
  },
  train: trainingLosses,
  flag: (name) => tf.env().get(name),
};

// Served from 127.0.0.1 beside this bundle; not cross-origin isolated, so the non-threaded
// SIMD build is the one loaded.
setWasmPaths(new URL('./wasm/', location.href).href);
(globalThis as unknown as { lishtTest: LishtTestApi }).lishtTest = api;
