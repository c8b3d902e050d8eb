/**
 * `Identity` and same-dtype `Cast` for wasm without the copy the backend's own versions make:
 * tensors are immutable, so the output can share the input's memory (as `Reshape` already does,
 * and as the cpu backend's `Identity` does). The engine's gradient and optimizer code calls
 * these dozens of times per training step, on activation-sized tensors.
 */
import { Cast, Identity } from '@tensorflow/tfjs-core';
import type { CastAttrs, CastInputs, IdentityInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callBuiltin } from './builtin.js';

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

function identity(args: { inputs: IdentityInputs; backend: BackendWasm }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  // Strings live in JS, not on the heap; the original handles them.
  if (x.dtype === 'string') return callBuiltin('Identity', args.backend, { x });
  return share(args.backend, x);
}

function cast(args: { inputs: CastInputs; backend: BackendWasm; attrs: CastAttrs }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === args.attrs.dtype && x.dtype !== 'string') return share(args.backend, x);
  return callBuiltin('Cast', args.backend, { x }, { ...args.attrs });
}

/** Replaces the wasm backend's `Identity`. */
export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};

/** Replaces the wasm backend's `Cast` (only the same-dtype case changes). */
export const castConfig: KernelConfig = {
  kernelName: Cast,
  backendName: 'wasm',
  kernelFunc: cast as unknown as KernelFunc,
};
