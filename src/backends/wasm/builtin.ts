/**
 * The wasm backend's own kernels, captured on first use (by `registerWasmTrainingKernels`,
 * before it replaces some of them), so the replacements and the new kernels can call the
 * originals. Nothing here imports `@tensorflow/tfjs-backend-wasm` at run time: the caller has
 * (Node's selectBackend, or a page that chose wasm), and a page bundle that never picks wasm
 * does not carry it because of this package.
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const NAMES = [
  'BatchMatMul',
  '_FusedMatMul',
  'Cast',
  'Identity',
  'Conv2D',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'Sum',
  'Transpose',
] as const;

/** Names of the wasm kernels this package calls or replaces. */
export type BuiltinName = (typeof NAMES)[number];

const captured = new Map<string, KernelConfig>();

/**
 * Captures the wasm backend's kernels the first time; later calls do nothing (by then some are
 * replaced, and the originals are what must be kept). Throws when tfjs-backend-wasm has not
 * registered them, i.e. was not imported.
 */
export function captureBuiltins(): void {
  if (captured.size > 0) return;
  for (const name of NAMES) {
    const config = getKernel(name, 'wasm');
    if (config == null) throw new Error(`tfjs-backend-wasm has no ${name} kernel to build on: import '@tensorflow/tfjs-backend-wasm' first`);
    captured.set(name, config);
  }
}

/** The original wasm config of `name` (its `setupFunc` must keep running at backend init). */
export function builtinConfig(name: BuiltinName): KernelConfig {
  captureBuiltins();
  return captured.get(name)!;
}

/** Runs the original wasm kernel `name` directly, outside the engine (no tape, no tracking). */
export function callBuiltin(
  name: BuiltinName,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  captureBuiltins();
  return captured.get(name)!.kernelFunc({ backend, inputs, attrs }) as TensorInfo;
}

/** `x` with its axes permuted by the wasm backend's (native) Transpose. */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return callBuiltin('Transpose', backend, { x }, { perm });
}
