/**
 * `MaxPoolGrad` for wasm, replacing the backend's own (which rescans every window once per input
 * pixel: 47 ms on the seed-cnn's first pool). One pass over the windows: find each window's
 * first maximum, as the cpu backend does (strict `>`, so ties go to the earliest tap and NaN or
 * -Infinity never win), and route dy there. Channels go four at a time through the SIMD loop in
 * `simd/` (2.3 ms) when the channel count allows; otherwise a JS loop does the same (~15 ms:
 * which tap wins is data-dependent, and JS branches on it).
 */
import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, MaxPoolGradInputs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { geometryOf, type ConvGeometry } from './geometry.js';
import { address, alloc, f32, release } from './heap.js';
import { simdFor, type SimdKernels } from './simd/instance.js';

/** Routes each `dy` value to the max of its window in `x`; `dx` must be zeroed. NHWC. */
export function maxPoolBackprop(x: Float32Array, dy: Float32Array, dx: Float32Array, g: ConvGeometry): void {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const KH = g.filterHeight;
  const KW = g.filterWidth;
  const dh = g.dilationHeight;
  const dw = g.dilationWidth;
  // Offsets (into x) of the window's in-image taps, in the cpu backend's scan order.
  const taps = new Int32Array(KH * KW);
  let o = 0;
  for (let n = 0; n < N; n++) {
    const image = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * g.strideHeight - g.padTop;
      const khLo = Math.max(0, Math.ceil(-ih0 / dh));
      const khHi = Math.min(KH, Math.floor((H - 1 - ih0) / dh) + 1);
      for (let ow = 0; ow < OW; ow++, o += C) {
        const iw0 = ow * g.strideWidth - g.padLeft;
        const kwLo = Math.max(0, Math.ceil(-iw0 / dw));
        const kwHi = Math.min(KW, Math.floor((W - 1 - iw0) / dw) + 1);
        let count = 0;
        for (let kh = khLo; kh < khHi; kh++) {
          for (let kw = kwLo; kw < kwHi; kw++) taps[count++] = image + ((ih0 + kh * dh) * W + iw0 + kw * dw) * C;
        }
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let t = 0; t < count; t++) {
            const p = taps[t]! + c;
            const v = x[p]!;
            if (v > best) {
              best = v;
              at = p;
            }
          }
          if (at >= 0) dx[at] += dy[o + c]!;
        }
      }
    }
  }
}

/** Taps `[kwLo, kwHi)` × `[khLo, khHi)` as byte offsets from the window origin, in scan order. */
function writeTaps(
  taps: Int32Array,
  g: ConvGeometry,
  khLo: number,
  khHi: number,
  kwLo: number,
  kwHi: number,
): number {
  let count = 0;
  for (let kh = khLo; kh < khHi; kh++) {
    for (let kw = kwLo; kw < kwHi; kw++) {
      taps[count++] = (kh * g.dilationHeight * g.inWidth + kw * g.dilationWidth) * g.inChannels * 4;
    }
  }
  return count;
}

/** Whether no input pixel lies in two windows. */
function disjoint(g: ConvGeometry): boolean {
  return g.strideHeight >= (g.filterHeight - 1) * g.dilationHeight + 1 && g.strideWidth >= (g.filterWidth - 1) * g.dilationWidth + 1;
}

/** Whether the windows tile the input exactly: every pixel in exactly one window. */
function tiles(g: ConvGeometry): boolean {
  return (
    g.dilationHeight === 1 &&
    g.dilationWidth === 1 &&
    g.padTop === 0 &&
    g.padLeft === 0 &&
    g.strideHeight === g.filterHeight &&
    g.strideWidth === g.filterWidth &&
    g.outHeight * g.filterHeight === g.inHeight &&
    g.outWidth * g.filterWidth === g.inWidth
  );
}

/**
 * `maxPoolBackprop` on the heap with the SIMD loop; needs `inChannels % 4 == 0`. Disjoint
 * windows write their taps instead of adding to them, and when they also tile the input, dx
 * needs no zeroing first.
 */
function maxPoolBackpropSimd(
  simd: SimdKernels,
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  dx: TensorInfo,
  g: ConvGeometry,
): void {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const KH = g.filterHeight;
  const KW = g.filterWidth;
  const dh = g.dilationHeight;
  const dw = g.dilationWidth;
  const cBytes = C * 4;
  const scratch = alloc(backend, [KH * KW]);
  const tapsAddr = address(backend, scratch);
  const taps = new Int32Array(f32(backend, scratch).buffer, tapsAddr, KH * KW);
  const xAddr = address(backend, x);
  const dyAddr = address(backend, dy);
  const delta = address(backend, dx) - xAddr;
  const wstride = g.strideWidth * cBytes;
  const store = disjoint(g) ? 1 : 0;
  if (!tiles(g)) f32(backend, dx).fill(0);
  // Output columns whose windows lie wholly inside the image horizontally share one tap list.
  const fullLo = Math.min(OW, Math.max(0, Math.ceil(g.padLeft / g.strideWidth)));
  const fullHi = Math.max(fullLo, Math.min(OW, Math.floor((W - 1 - (KW - 1) * dw + g.padLeft) / g.strideWidth) + 1));
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * g.strideHeight - g.padTop;
      const khLo = Math.max(0, Math.ceil(-ih0 / dh));
      const khHi = Math.min(KH, Math.floor((H - 1 - ih0) / dh) + 1);
      if (khLo >= khHi) continue;
      const rowOrigin = xAddr + ((n * H + ih0) * W - g.padLeft) * cBytes;
      const rowDy = dyAddr + (n * OH + oh) * OW * cBytes;
      for (let ow = 0; ow < OW; ow++) {
        if (ow === fullLo && fullHi > fullLo) {
          const count = writeTaps(taps, g, khLo, khHi, 0, KW);
          simd.maxPoolBackpropRow(rowOrigin + ow * wstride, rowDy + ow * cBytes, delta, tapsAddr, count, cBytes, wstride, fullHi - fullLo, store);
          ow = fullHi - 1;
          continue;
        }
        const iw0 = ow * g.strideWidth - g.padLeft;
        const kwLo = Math.max(0, Math.ceil(-iw0 / dw));
        const kwHi = Math.min(KW, Math.floor((W - 1 - iw0) / dw) + 1);
        const count = writeTaps(taps, g, khLo, khHi, kwLo, kwHi);
        if (count > 0) simd.maxPoolBackpropRow(rowOrigin + ow * wstride, rowDy + ow * cBytes, delta, tapsAddr, count, cBytes, wstride, 1, store);
      }
    }
  }
  release(backend, scratch);
}

function maxPoolGrad(args: { inputs: MaxPoolGradInputs; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { backend, inputs, attrs } = args;
  const x = inputs.input as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const g = geometryOf(info);
  const dx = alloc(backend, x.shape);
  const simd = simdFor(backend);
  if (simd != null && g.inChannels % 4 === 0) {
    maxPoolBackpropSimd(simd, backend, x, dy, dx, g);
  } else {
    f32(backend, dx).fill(0);
    maxPoolBackprop(f32(backend, x), f32(backend, dy), f32(backend, dx), g);
  }
  return dx;
}

/** Replaces the wasm backend's `MaxPoolGrad`. */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
