/**
 * The wasm backend's own kernels, captured when this module loads (before `register.ts` may
 * replace some of them), so the replacements and the new kernels can call the originals.
 */
import '@tensorflow/tfjs-backend-wasm';
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
for (const name of NAMES) {
  const config = getKernel(name, 'wasm');
  if (config == null) throw new Error(`tfjs-backend-wasm has no ${name} kernel to build on`);
  captured.set(name, config);
}

/** The original wasm config of `name` (its `setupFunc` must keep running at backend init). */
export function builtinConfig(name: BuiltinName): KernelConfig {
  return captured.get(name)!;
}

/** Runs the original wasm kernel `name` directly, outside the engine (no tape, no tracking). */
export function callBuiltin(
  name: BuiltinName,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  return captured.get(name)!.kernelFunc({ backend, inputs, attrs }) as TensorInfo;
}

/** `x` with its axes permuted by the wasm backend's (native) Transpose. */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return callBuiltin('Transpose', backend, { x }, { perm });
}
