/**
 * `BatchMatMul` and `_FusedMatMul` for wasm, steering every product onto XNNPACK. The backend's
 * own kernels use XNNPACK only for a single, untransposed product; anything else (a transposed
 * operand, as in every matMul gradient, or a batch) goes to a scalar loop that is 10–50x slower
 * (1024³: 46 ms vs 0.6–2.4 s) and, for batches, mishandles broadcasting and the fused bias.
 * Here transposed operands are transposed natively first, and batches become one product per
 * batch entry, or a single product when the right operand is shared.
 */
import { BatchMatMul, broadcast_util, util, _FusedMatMul } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callBuiltin, transpose, type BuiltinName } from './builtin.js';
import { alloc, f32, release, view } from './heap.js';

/** Activations XNNPACK applies itself (as output clamps), so they stay correct per slice. */
const CLAMP_ACTIVATIONS = new Set([undefined, 'linear', 'relu', 'relu6']);

type Attrs = NamedAttrMap & { transposeA: boolean; transposeB: boolean; activation?: string };

/** `x` with its last two axes swapped, materialised. */
function swapLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return transpose(backend, x, perm);
}

/** A fresh copy of matrix `i` of the `[batch, rows, cols]` tensor `x`. */
function slice(backend: BackendWasm, x: TensorInfo, i: number, rows: number, cols: number): TensorInfo {
  const out = alloc(backend, [1, rows, cols]);
  f32(backend, out).set(f32(backend, x).subarray(i * rows * cols, (i + 1) * rows * cols));
  return out;
}

/** Flat index into a broadcast operand's batch for flat output batch index `i`. */
function batchIndex(i: number, outOuter: number[], outer: number[]): number {
  const rank = outOuter.length;
  const padded = [...Array(rank - outer.length).fill(1), ...outer];
  let index = 0;
  let rest = i;
  let stride = 1;
  const coords: number[] = [];
  for (let d = rank - 1; d >= 0; d--) {
    coords[d] = rest % outOuter[d]!;
    rest = Math.floor(rest / outOuter[d]!);
  }
  for (let d = rank - 1; d >= 0; d--) {
    if (padded[d] !== 1) index += coords[d]! * stride;
    stride *= padded[d]!;
  }
  return index;
}

function product(name: BuiltinName, backend: BackendWasm, inputs: NamedTensorInfoMap, attrs: Attrs): TensorInfo {
  const { a: a0, b: b0 } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs;
  if (!transposeA && !transposeB && util.sizeFromShape(a0.shape.slice(0, -2)) === 1 &&
      util.sizeFromShape(b0.shape.slice(0, -2)) === 1) {
    return callBuiltin(name, backend, inputs, attrs);
  }
  const a = transposeA ? swapLastTwo(backend, a0) : a0;
  const b = transposeB ? swapLastTwo(backend, b0) : b0;
  const plain = { ...attrs, transposeA: false, transposeB: false };
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const batchA = util.sizeFromShape(aOuter);
  const batchB = util.sizeFromShape(bOuter);
  const outOuter = broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const batch = util.sizeFromShape(outOuter);
  const outShape = [...outOuter, m, n];
  const perSliceOk = name === 'BatchMatMul' || (CLAMP_ACTIVATIONS.has(attrs.activation) && inputs.preluActivationWeights == null);
  let out: TensorInfo;
  if (batch === 1 || (batchB === 1 && batchA === batch)) {
    // One product: a's batch folds into its rows, b is shared.
    out = callBuiltin(name, backend, { ...inputs, a: view(a, [1, batchA * m, k]), b: view(b, [1, k, n]) }, plain);
    out = view(out, outShape);
  } else if (perSliceOk) {
    out = alloc(backend, outShape);
    const sharedB = batchB === 1 ? view(b, [1, k, n]) : null;
    for (let i = 0; i < batch; i++) {
      const ai = slice(backend, a, batchIndex(i, outOuter, aOuter), m, k);
      // b must be a new tensor per slice: XNNPACK caches its packing by tensor id.
      const bi = sharedB ?? slice(backend, b, batchIndex(i, outOuter, bOuter), k, n);
      const part = callBuiltin(name, backend, { ...inputs, a: ai, b: bi }, plain);
      f32(backend, out).set(f32(backend, part), i * m * n);
      release(backend, part);
      release(backend, ai);
      if (bi !== sharedB) release(backend, bi);
    }
  } else {
    out = callBuiltin(name, backend, { ...inputs, a, b }, plain);
  }
  if (a !== a0) release(backend, a);
  if (b !== b0) release(backend, b);
  return out;
}

function kernel(name: BuiltinName): KernelFunc {
  return (args) => product(name, args.backend as BackendWasm, args.inputs as NamedTensorInfoMap, args.attrs as Attrs);
}

/** Replaces the wasm backend's `BatchMatMul`. */
export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: kernel('BatchMatMul'),
};

/** Replaces the wasm backend's `_FusedMatMul`. */
export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'wasm',
  kernelFunc: kernel('_FusedMatMul'),
};
