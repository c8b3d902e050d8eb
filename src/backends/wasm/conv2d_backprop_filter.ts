/**
 * `Conv2DBackpropFilter` for wasm, which lacks it: dW = im2col(x)ᵀ · dy as XNNPACK matrix
 * products.
 *
 * - The im2col matrix is built already transposed, `[KH*KW*Cin, rows]`, because the backend's
 *   BatchMatMul is only fast with neither operand transposed (otherwise it runs a scalar loop,
 *   ~10x slower). x is first transposed natively to `[Cin, N, H, W]`, so each im2col row is a
 *   set of runs copied from one input plane (by the SIMD loop when the width stride is 1).
 * - XNNPACK treats dy as the "weights" and repacks it on every call (dy is new each step), at
 *   ~2 ns per element once dy overflows the cache. Splitting the batch into chunks whose dy
 *   slice is ~256 KB keeps that repacking (and the chunk's im2col) in cache: the seed-cnn step
 *   went from ~105 to ~81 CPU-ms (chunks of 128 KB–1 MB all land within noise of that).
 *   Partial products are summed in float64.
 */
import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropFilterInputs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callBuiltin, transpose } from './builtin.js';
import { geometryOf, validRange, type ConvGeometry } from './geometry.js';
import { address, alloc, f32, release, view } from './heap.js';
import { simdFor, type SimdKernels } from './simd/instance.js';

/** Target size of one chunk's slice of dy (see the module comment). */
const CHUNK_BYTES = 256 * 1024;

/**
 * Writes the transposed im2col matrix of images `[first, first + count)` of the
 * `[Cin, N, H, W]` tensor `xT` into `cols` (`[KH*KW*Cin, count*OH*OW]`), zeros where the
 * window hangs over padding.
 */
export function im2colTransposed(
  xT: Float32Array,
  cols: Float32Array,
  g: ConvGeometry,
  first = 0,
  count = g.batch,
): void {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const sh = g.strideHeight;
  const sw = g.strideWidth;
  const rowLength = count * OH * OW;
  const plane = N * H * W;
  let row = 0;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const [ohLo, ohHi] = validRange(OH, H, sh, g.padTop, kh * g.dilationHeight);
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const [owLo, owHi] = validRange(OW, W, sw, g.padLeft, kw * g.dilationWidth);
      const colOffset = kw * g.dilationWidth - g.padLeft;
      for (let c = 0; c < C; c++, row += rowLength) {
        let d = row;
        for (let n = first; n < first + count; n++) {
          const imageBase = c * plane + n * H * W;
          for (let oh = 0; oh < OH; oh++) {
            if (oh < ohLo || oh >= ohHi) {
              cols.fill(0, d, d + OW);
              d += OW;
              continue;
            }
            const ih = oh * sh - g.padTop + kh * g.dilationHeight;
            let ow = 0;
            for (; ow < owLo; ow++) cols[d++] = 0;
            let s = imageBase + ih * W + owLo * sw + colOffset;
            for (; ow < owHi; ow++, s += sw) cols[d++] = xT[s]!;
            for (; ow < OW; ow++) cols[d++] = 0;
          }
        }
      }
    }
  }
}

/**
 * `im2colTransposed` for unit width stride, where each (tap, channel) is a block of contiguous
 * runs the SIMD loop copies four floats at a time. `colsValues` views `cols`.
 */
export function im2colTransposedSimd(
  simd: SimdKernels,
  xTAddr: number,
  colsAddr: number,
  colsValues: Float32Array,
  g: ConvGeometry,
  first = 0,
  count = g.batch,
): void {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const rowLength = count * OH * OW;
  const plane = N * H * W;
  const rows: Array<[number, number]> = [];
  const columns: Array<[number, number]> = [];
  for (let kh = 0; kh < g.filterHeight; kh++) {
    rows.push(validRange(OH, H, g.strideHeight, g.padTop, kh * g.dilationHeight));
  }
  for (let kw = 0; kw < g.filterWidth; kw++) columns.push(validRange(OW, W, 1, g.padLeft, kw * g.dilationWidth));
  const padded = rows.some(([lo, hi]) => lo > 0 || hi < OH) || columns.some(([lo, hi]) => lo > 0 || hi < OW);
  // Taps hanging over the border leave holes that must read as zero padding.
  if (padded) colsValues.fill(0, 0, g.filterHeight * g.filterWidth * C * rowLength);
  let row = 0;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const [ohLo, ohHi] = rows[kh]!;
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const [owLo, owHi] = columns[kw]!;
      for (let c = 0; c < C; c++, row += rowLength) {
        if (ohHi <= ohLo || owHi <= owLo) continue;
        const ih = ohLo * g.strideHeight - g.padTop + kh * g.dilationHeight;
        const iw = owLo - g.padLeft + kw * g.dilationWidth;
        simd.copyRuns(
          colsAddr + (row + ohLo * OW + owLo) * 4,
          xTAddr + (c * plane + first * H * W + ih * W + iw) * 4,
          count,
          ohHi - ohLo,
          owHi - owLo,
          g.strideHeight * W * 4,
          OW * 4,
          H * W * 4,
          OH * OW * 4,
        );
      }
    }
  }
}

/** dW for NHWC `x` and `dy`; the result has shape `[KH, KW, Cin, Cout]`. */
export function conv2dBackpropFilterNHWC(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const Co = g.outChannels;
  const pixels = g.outHeight * g.outWidth;
  const perChunk = Math.max(1, Math.min(g.batch, Math.floor(CHUNK_BYTES / (pixels * Co * 4))));
  const simd = g.strideWidth === 1 ? simdFor(backend) : null;
  const xT = transpose(backend, x, [3, 0, 1, 2]);
  // Reused by every chunk: XNNPACK caches nothing on its left operand.
  const cols = alloc(backend, [1, K, perChunk * pixels]);
  const sum = new Float64Array(K * Co);
  for (let first = 0; first < g.batch; first += perChunk) {
    const count = Math.min(perChunk, g.batch - first);
    const rows = count * pixels;
    // A new tensor per chunk: XNNPACK caches the packed right operand by tensor id.
    const dySlice = alloc(backend, [1, rows, Co]);
    f32(backend, dySlice).set(f32(backend, dy).subarray(first * pixels * Co, (first + count) * pixels * Co));
    if (simd != null) {
      im2colTransposedSimd(simd, address(backend, xT), address(backend, cols), f32(backend, cols), g, first, count);
    } else {
      im2colTransposed(f32(backend, xT), f32(backend, cols), g, first, count);
    }
    const part = callBuiltin('BatchMatMul', backend, { a: view(cols, [1, K, rows]), b: dySlice }, {
      transposeA: false,
      transposeB: false,
    });
    const partValues = f32(backend, part);
    for (let i = 0; i < sum.length; i++) sum[i] += partValues[i]!;
    release(backend, part);
    release(backend, dySlice);
  }
  release(backend, cols);
  release(backend, xT);
  const dW = alloc(backend, [g.filterHeight, g.filterWidth, g.inChannels, Co]);
  f32(backend, dW).set(sum);
  return dW;
}

function conv2dBackpropFilter(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { backend, inputs, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const g = geometryOf(info);
  if (format === 'channelsLast') return conv2dBackpropFilterNHWC(backend, x, dy, g);
  // NCHW: the transposes are cheap next to the products, and the filter layout is the same.
  const xNHWC = transpose(backend, x, [0, 2, 3, 1]);
  const dyNHWC = transpose(backend, dy, [0, 2, 3, 1]);
  const dW = conv2dBackpropFilterNHWC(backend, xNHWC, dyNHWC, g);
  release(backend, xNHWC);
  release(backend, dyNHWC);
  return dW;
}

/** Registers under `Conv2DBackpropFilter` for `wasm`. */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
