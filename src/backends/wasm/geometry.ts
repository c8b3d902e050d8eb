/**
 * Convolution geometry in the one layout the JS loops here handle (NHWC), whatever data format
 * the op was called with; pads are resolved to numbers.
 */
import { backend_util } from '@tensorflow/tfjs-core';

/** Sizes, strides, dilations and leading pads of a 2-D convolution over NHWC data. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
}

/** The geometry of a `computeConv2DInfo` / `computePool2DInfo` result. */
export function geometryOf(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    padBottom: info.padInfo.bottom,
    padRight: info.padInfo.right,
  };
}

/**
 * For filter column `kw`: the output columns `[lo, hi)` whose input column
 * `ow * strideWidth - padLeft + kw * dilationWidth` falls inside the image. Outside that range
 * the input is zero padding. The same function serves rows.
 */
export function validRange(
  out: number,
  inSize: number,
  stride: number,
  pad: number,
  offset: number,
): [number, number] {
  // First o with o*stride - pad + offset >= 0, last with it <= inSize - 1.
  const lo = Math.max(0, Math.ceil((pad - offset) / stride));
  const hi = Math.min(out, Math.floor((inSize - 1 + pad - offset) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}
