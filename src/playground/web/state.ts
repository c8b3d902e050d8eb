/**
 * The page's state, read from and written to the URL's query, so a view can be shared: the
 * two activations, the toy data set and its noise, the hidden layers, the learning rate, the backend, and
 * the CIFAR run's sizes.
 */
import { ACTIVATION_NAMES } from '../../activations/zoo.js';

export const TOY_DATASETS = ['circle', 'xor', 'gauss', 'spiral'] as const;
export type ToyDataset = (typeof TOY_DATASETS)[number];
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

export interface PageState {
  a: string;
  b: string;
  data: ToyDataset;
  layers: number[];
  lr: number;
  /** Toy data noise, 0 to 50 (TensorFlow Playground's slider: percent of the data's span). */
  noise: number;
  backend: string;
  /**
   * wasm threads, where the page is cross-origin isolated: 0 off, -1 TensorFlow.js's own
   * choice (half the cores, at most 4), n exactly n.
   */
  threads: number;
  /** This project's wasm training kernels (registerWasmTrainingKernels). */
  kernels: boolean;
  /** Toy classifier: stop after this many steps (0: run until paused). */
  toySteps: number;
  /** CIFAR: training and test images used, batch size, epochs. */
  train: number;
  test: number;
  batch: number;
  epochs: number;
  /** Start these parts at load: `toy`, `cnn`. */
  autorun: string[];
}

export const DEFAULTS: PageState = {
  a: 'lisht',
  b: 'relu',
  data: 'spiral',
  layers: [8, 8],
  lr: 0.03,
  noise: 10,
  backend: 'wasm',
  threads: -1,
  kernels: true,
  toySteps: 0,
  train: 2000,
  test: 500,
  batch: 100,
  epochs: 3,
  autorun: [],
};

const int = (v: string | null, min: number, max: number): number | undefined => {
  const n = Number(v);
  return v !== null && Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
};

/** The state a query string describes; anything invalid falls back to its default. */
export function readState(search: string): PageState {
  const q = new URLSearchParams(search);
  const names = ACTIVATION_NAMES as readonly string[];
  const pick = <T extends string>(v: string | null, allowed: readonly T[], fallback: T): T => (v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : fallback);
  const layers = (q.get('layers') ?? '')
    .split(',')
    .filter((s) => s !== '')
    .map(Number);
  const lr = Number(q.get('lr'));
  return {
    a: pick(q.get('a'), names, DEFAULTS.a),
    b: pick(q.get('b'), names, DEFAULTS.b),
    data: pick(q.get('data'), TOY_DATASETS, DEFAULTS.data),
    layers: q.has('layers') && layers.length <= 6 && layers.every((n) => Number.isSafeInteger(n) && n >= 1 && n <= 64) ? layers : DEFAULTS.layers,
    lr: q.has('lr') && lr > 0 && lr <= 10 ? lr : DEFAULTS.lr,
    noise: int(q.get('noise'), 0, 50) ?? DEFAULTS.noise,
    // An unknown backend is kept, so the page can say it does not have it.
    backend: q.get('backend') ?? DEFAULTS.backend,
    threads: q.get('threads') === 'auto' ? -1 : (int(q.get('threads'), 0, 64) ?? DEFAULTS.threads),
    kernels: q.get('kernels') !== '0',
    toySteps: int(q.get('toySteps'), 0, 1e6) ?? DEFAULTS.toySteps,
    train: int(q.get('train'), 1, 50_000) ?? DEFAULTS.train,
    test: int(q.get('test'), 1, 10_000) ?? DEFAULTS.test,
    batch: int(q.get('batch'), 1, 1000) ?? DEFAULTS.batch,
    epochs: int(q.get('epochs'), 1, 100) ?? DEFAULTS.epochs,
    autorun: (q.get('autorun') ?? '').split(',').filter((s) => s === 'toy' || s === 'cnn'),
  };
}

/** The query string of `state`, naming only what differs from the defaults. */
export function writeState(state: PageState): string {
  const q = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS) as (keyof PageState)[]) {
    if (key === 'autorun') continue;
    const value = state[key];
    const text = key === 'threads' && value === -1 ? 'auto' : Array.isArray(value) ? value.join(',') : typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    const fallback = DEFAULTS[key];
    const base = key === 'threads' && fallback === -1 ? 'auto' : Array.isArray(fallback) ? fallback.join(',') : typeof fallback === 'boolean' ? (fallback ? '1' : '0') : String(fallback);
    if (text !== base) q.set(key, text);
  }
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
