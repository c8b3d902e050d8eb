/**
 * The SIMD loops of `kernels.ts`, instantiated on the wasm backend's own memory so they read and
 * write tensors in place. One instance per backend; `null` where that cannot work (no SIMD in
 * this engine, or a shared-memory threaded build), and callers then use their JS loops.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdModuleBytes } from './kernels.js';

/**
 * Copies (or adds) `runs` runs of `len` floats, `outer` times, between strided places of the
 * heap: the shared shape of `copyRuns` and `addRuns`.
 */
type RunsKernel = (
  dst: number,
  src: number,
  outer: number,
  runs: number,
  len: number,
  srcStride: number,
  dstStride: number,
  srcOuter: number,
  dstOuter: number,
) => void;

/** Exported functions of the module; see `kernels.ts` for each contract. */
export interface SimdKernels {
  maxPoolBackpropRow(
    origin: number,
    dy: number,
    delta: number,
    taps: number,
    ntaps: number,
    cBytes: number,
    wstride: number,
    count: number,
    store: number,
  ): void;
  columnSums(x: number, acc: number, rows: number, cBytes: number): void;
  copyRuns: RunsKernel;
  addRuns: RunsKernel;
  lisht(x: number, y: number, count: number): void;
  lishtGrad(dy: number, x: number, dx: number, count: number): void;
}

const instances = new WeakMap<object, SimdKernels | null>();
let enabled = true;

/** Turns the SIMD loops off (or back on) for every backend, e.g. to test the JS fallbacks. */
export function setSimdEnabled(on: boolean): void {
  enabled = on;
}

function memoryOf(backend: BackendWasm): WebAssembly.Memory | null {
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; HEAPU8?: Uint8Array };
  const memory = module.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (module.HEAPU8 == null || memory.buffer !== module.HEAPU8.buffer) return null;
  // A shared memory would need a matching shared import; the threaded build does not run in
  // Node anyway.
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return null;
  return memory;
}

function instantiate(backend: BackendWasm): SimdKernels | null {
  const memory = memoryOf(backend);
  const bytes = simdModuleBytes();
  if (memory == null || !WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports as unknown as SimdKernels;
}

/** The SIMD loops bound to `backend`'s heap, or `null` if unavailable or turned off. */
export function simdFor(backend: BackendWasm): SimdKernels | null {
  if (!enabled) return null;
  let kernels = instances.get(backend);
  if (kernels === undefined) {
    kernels = instantiate(backend);
    instances.set(backend, kernels);
  }
  return kernels;
}
