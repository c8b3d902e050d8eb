/**
 * `Sum` for wasm over leading axes (the bias gradient: sum of dy over batch and space). The
 * backend's own Sum first transposes the reduced axes innermost, a full copy of an
 * activation-sized tensor; here the rows are added in place with the SIMD loop, 4 channels per
 * step, in float32 blocks of 256 rows whose partial sums are combined in float64, so a 90,000-row
 * sum is not one long float32 accumulation. Every other case goes to the original kernel.
 */
import { Sum, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SumAttrs, SumInputs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callBuiltin } from './builtin.js';
import { address, alloc, f32, release } from './heap.js';
import { simdFor } from './simd/instance.js';

/** Rows summed in float32 before the partial sum is folded into the float64 total. */
const BLOCK_ROWS = 256;

/** Number of leading axes `axis` names, or -1 unless it names exactly `0..k-1` with k < rank. */
function leadingAxes(shape: number[], axis: number | number[]): number {
  const axes = [...new Set(util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length) return -1;
  return axes.every((a, i) => a === i) ? axes.length : -1;
}

function sum(args: { inputs: SumInputs; backend: BackendWasm; attrs: SumAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const k = x.dtype === 'float32' ? leadingAxes(x.shape, attrs.axis) : -1;
  const rows = util.sizeFromShape(x.shape.slice(0, Math.max(k, 0)));
  const cols = util.sizeFromShape(x.shape.slice(Math.max(k, 0)));
  const simd = simdFor(backend);
  if (k < 0 || simd == null || cols % 4 !== 0 || rows === 0 || cols === 0) {
    return callBuiltin('Sum', backend, { x }, { ...attrs });
  }
  const kept = x.shape.slice(k);
  const out = alloc(backend, attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept);
  const acc = alloc(backend, [cols]);
  const accValues = f32(backend, acc);
  const total = new Float64Array(cols);
  const xAddr = address(backend, x);
  const accAddr = address(backend, acc);
  for (let r = 0; r < rows; r += BLOCK_ROWS) {
    accValues.fill(0);
    simd.columnSums(xAddr + r * cols * 4, accAddr, Math.min(BLOCK_ROWS, rows - r), cols * 4);
    for (let c = 0; c < cols; c++) total[c] += accValues[c]!;
  }
  f32(backend, out).set(total);
  release(backend, acc);
  return out;
}

/** Replaces the wasm backend's `Sum` (only float32 sums over leading axes change). */
export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as KernelFunc,
};
