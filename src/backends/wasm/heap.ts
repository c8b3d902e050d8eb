/**
 * Direct access to tensors living on the wasm backend's heap, so kernels written in JS can loop
 * over wasm memory without copying it out and back.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';

/**
 * A float32 view of `t`'s bytes on the heap. Any later allocation may grow the heap, which
 * detaches every earlier view: allocate first, take views after.
 */
export function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** A new, uninitialised float32 tensor on the heap. */
export function alloc(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** Releases a temporary made by `alloc` or by a kernel called from inside another kernel. */
export function release(backend: BackendWasm, t: TensorInfo): void {
  backend.disposeData(t.dataId);
}

/**
 * The same memory seen with another shape of equal size. The wasm kernels read shapes from the
 * `TensorInfo` they are given, so no new tensor (and no refcount) is needed.
 */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Byte address of `t`'s data on the heap (what native code and `simd/` loops take). */
export function address(backend: BackendWasm, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}
