/**
 * Choosing and starting a TensorFlow.js backend in Node. `auto` takes the fastest one that
 * works here: `tensorflow` (when the optional `@tensorflow/tfjs-node` is installed), then
 * `native` (this package's oneDNN addon, when it was built), then `wasm`. Node-only: it loads
 * the native addon; the browser-safe selection is `select_browser.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';
import { startFirst, startRegistered } from './start.js';

/** Backends `selectBackend` can start. */
export const BACKEND_NAMES = ['auto', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_NAMES)[number];

/** Preference order of `auto`. */
const AUTO_ORDER = ['tensorflow', 'native', 'wasm'] as const;

type Loader = () => Promise<void>;

const loaders: Record<Exclude<BackendChoice, 'auto'>, Loader> = {
  async tensorflow() {
    try {
      // Not a dependency: users who have it installed get TensorFlow's C++ kernels.
      const name = '@tensorflow/tfjs-node';
      await import(name);
    } catch (err) {
      throw new UserError(`backend 'tensorflow' needs the optional package @tensorflow/tfjs-node (npm install @tensorflow/tfjs-node): ${(err as Error).message.split('\n')[0]}`);
    }
  },
  async native() {
    const { requireNativeBackend } = await import('./native/index.js');
    requireNativeBackend();
  },
  async wasm() {
    await import('@tensorflow/tfjs-backend-wasm');
    const { registerWasmTrainingKernels } = await import('./wasm/register.js');
    registerWasmTrainingKernels();
  },
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu');
  },
};

async function start(name: Exclude<BackendChoice, 'auto'>): Promise<void> {
  await loaders[name]();
  await startRegistered(name);
}

/**
 * Starts the backend `choice` (or, for `auto`, the first of tensorflow, native, wasm that
 * starts) and makes it TensorFlow.js's current backend. Resolves to the backend's name.
 * Throws a `UserError` naming what is missing when an explicitly chosen backend cannot start.
 */
export async function selectBackend(choice: string = 'auto'): Promise<string> {
  if (!(BACKEND_NAMES as readonly string[]).includes(choice)) {
    throw new UserError(`unknown backend '${choice}'; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  // PROD skips tfjs's debug checks and its advice to install tfjs-node, printed on first use.
  tf.env().set('PROD', true);
  if (choice !== 'auto') {
    await start(choice as Exclude<BackendChoice, 'auto'>);
    return choice;
  }
  return startFirst(AUTO_ORDER, (name) => start(name as Exclude<BackendChoice, 'auto'>));
}
