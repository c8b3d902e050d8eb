/**
 * `DepthwiseConv2dNativeBackpropFilter` and `…BackpropInput` for wasm, which has neither. Direct
 * JS loops over the heap, channels innermost so every access is contiguous. Depthwise layers
 * are cheap (Cin·mult MACs per tap instead of Cin·Cout), so the loops are not the bottleneck a
 * dense conv's would be. Filter sums are accumulated in float64: one filter tap sums over every
 * output pixel of the batch.
 */
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
} from '@tensorflow/tfjs-core';
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropFilterInputs,
  DepthwiseConv2dNativeBackpropInputAttrs,
  DepthwiseConv2dNativeBackpropInputInputs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { geometryOf, validRange, type ConvGeometry } from './geometry.js';
import { alloc, f32 } from './heap.js';

/** Calls `visit(xOffset, dyOffset, wOffset)` for every (output pixel, in-image tap) pair. */
function forEachTap(g: ConvGeometry, visit: (xAt: number, dyAt: number, wAt: number) => void): void {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const outC = g.outChannels;
  const mult = outC / C;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const [ohLo, ohHi] = validRange(OH, H, g.strideHeight, g.padTop, kh * g.dilationHeight);
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const [owLo, owHi] = validRange(OW, W, g.strideWidth, g.padLeft, kw * g.dilationWidth);
      const wAt = (kh * g.filterWidth + kw) * C * mult;
      for (let n = 0; n < N; n++) {
        for (let oh = ohLo; oh < ohHi; oh++) {
          const ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight;
          for (let ow = owLo; ow < owHi; ow++) {
            const iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth;
            visit(((n * H + ih) * W + iw) * C, ((n * OH + oh) * OW + ow) * outC, wAt);
          }
        }
      }
    }
  }
}

/** dW (`[KH, KW, Cin, mult]`) of a depthwise conv over NHWC `x`. */
export function depthwiseFilterGrad(x: Float32Array, dy: Float32Array, dW: Float32Array, g: ConvGeometry): void {
  const C = g.inChannels;
  const mult = g.outChannels / C;
  const acc = new Float64Array(dW.length);
  forEachTap(g, (xAt, dyAt, wAt) => {
    for (let c = 0, j = 0; c < C; c++) {
      const xv = x[xAt + c]!;
      for (let q = 0; q < mult; q++, j++) acc[wAt + j] += xv * dy[dyAt + j]!;
    }
  });
  dW.set(acc);
}

/** dx (`[N, H, W, Cin]`, zeroed by the caller) of a depthwise conv with filter `w`. */
export function depthwiseInputGrad(dy: Float32Array, w: Float32Array, dx: Float32Array, g: ConvGeometry): void {
  const C = g.inChannels;
  const mult = g.outChannels / C;
  forEachTap(g, (xAt, dyAt, wAt) => {
    for (let c = 0, j = 0; c < C; c++) {
      let s = 0;
      for (let q = 0; q < mult; q++, j++) s += dy[dyAt + j]! * w[wAt + j]!;
      dx[xAt + c] += s;
    }
  });
}

function filterGrad(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const dW = alloc(backend, attrs.filterShape);
  depthwiseFilterGrad(f32(backend, x), f32(backend, dy), f32(backend, dW), geometryOf(info));
  return dW;
}

function inputGrad(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const dx = alloc(backend, attrs.inputShape);
  const dxValues = f32(backend, dx);
  dxValues.fill(0);
  depthwiseInputGrad(f32(backend, dy), f32(backend, filter), dxValues, geometryOf(info));
  return dx;
}

/** Registers under `DepthwiseConv2dNativeBackpropFilter` for `wasm`. */
export const depthwiseConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: filterGrad as unknown as KernelFunc,
};

/** Registers under `DepthwiseConv2dNativeBackpropInput` for `wasm`. */
export const depthwiseConv2dBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: inputGrad as unknown as KernelFunc,
};
