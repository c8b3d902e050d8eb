/**
 * Choosing a TensorFlow.js backend anywhere, the browser included: among the backends the
 * page has registered (by importing `@tensorflow/tfjs-backend-webgpu`, `-webgl`, `-wasm` or
 * `-cpu`), never importing one itself, so that a bundle holds only the backends its author
 * chose. The Node entry (`lisht/node`) has its own `selectBackend`, which also loads
 * `tensorflow` (tfjs-node), `native`, `wasm` and `cpu` on demand.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';
import { startFirst, startRegistered } from './start.js';

/** Backends `selectBackend` can start in a browser. */
export const BACKEND_NAMES = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_NAMES)[number];

/** Options of the browser `selectBackend`. */
export interface SelectOptions {
  /**
   * On `wasm`, register this package's training kernels (default `true`). `false` keeps the
   * stock wasm kernels, which cannot train a convolutional network: for A/B comparisons.
   */
  trainingKernels?: boolean;
}

/** Preference order of `auto`: the fastest first. */
const AUTO_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

async function startIfRegistered(name: string, trainingKernels: boolean): Promise<void> {
  if (tf.findBackendFactory(name) === null) {
    // setBackend would only log "Backend name 'webgl' not found in registry" and return false.
    // tfjs-backend-webgpu registers itself only where navigator.gpu exists: the import may be there.
    const noGpu = name === 'webgpu' && (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu === undefined;
    const hint = name === 'wasm' ? ' (and call setWasmPaths for its .wasm files)' : noGpu ? ' (it registers only where navigator.gpu exists, and it does not here)' : '';
    throw new UserError(`backend '${name}' is not registered: import '@tensorflow/tfjs-backend-${name}' before choosing it${hint}`);
  }
  if (name === 'wasm' && trainingKernels) {
    // The training kernels stock wasm lacks (Conv2DBackpropFilter...) or runs slowly, so that a
    // conv net trains. A dynamic import: bundlers split it off (esbuild with --splitting), so
    // a page that never picks wasm does not load them.
    const { registerWasmTrainingKernels } = await import('./wasm/register.js');
    registerWasmTrainingKernels();
  }
  return startRegistered(name);
}

/**
 * Starts the backend `choice` (or, for `auto`, the first of webgpu, webgl, wasm, cpu that is
 * registered and starts) and makes it TensorFlow.js's current backend. Resolves to the
 * backend's name. On `wasm` it first registers this package's wasm training kernels (as
 * `registerWasmTrainingKernels` from `lisht/wasm` does), without which stock wasm cannot train
 * a convolutional network (`{ trainingKernels: false }` keeps the stock ones). Throws a `UserError` saying which package to import when the chosen
 * backend is not registered, and why each failed when `auto` finds none.
 *
 * ```js
 * import '@tensorflow/tfjs-backend-webgl';
 * import { selectBackend } from 'lisht';
 * await selectBackend('auto'); // 'webgl' where WebGL2 works
 * ```
 */
export async function selectBackend(choice: string = 'auto', options: SelectOptions = {}): Promise<string> {
  if (!(BACKEND_NAMES as readonly string[]).includes(choice)) {
    throw new UserError(`unknown backend '${choice}'; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  const start = (name: string) => startIfRegistered(name, options.trainingKernels ?? true);
  if (choice !== 'auto') {
    await start(choice);
    return choice;
  }
  return startFirst(AUTO_ORDER, start);
}
