/** Sum and Mean over consecutive axes, float32, accumulated in double. */
import { backend_util, util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../backend.js';
import { nativeKernel, sizeOf } from './util.js';

/**
 * The sum of `x` over `attrs.axis` (a mean when `mean`) where the axes are consecutive
 * (leading: bias gradients, BatchNorm statistics; middle: global pooling; trailing: rows), or
 * `null` for other axis patterns.
 */
function reduce(x: TensorInfo, backend: NativeBackend, attrs: NamedAttrMap, mean: boolean): TensorInfo | null {
  const xv = backend.f32(x);
  if (!xv || xv.length === 0) return null;
  const axes = [...new Set(util.parseAxisParam(attrs.axis as number | number[], x.shape))].sort((p, q) => p - q);
  if (axes.length === 0 || axes.some((a, i) => a !== axes[0]! + i)) return null;
  const kept = x.shape.filter((_, i) => !axes.includes(i));
  const out = backend.alloc(sizeOf(kept));
  const inner = sizeOf(x.shape.slice(axes[axes.length - 1]! + 1));
  if (inner === 1) {
    backend.addon.sumTrailing(xv, out);
  } else {
    // One sum over the leading axis of each outer block [reduced, inner].
    const block = xv.length / (out.length / inner);
    for (let o = 0, at = 0; at < out.length; o += block, at += inner) backend.addon.sumLeading(xv.subarray(o, o + block), out.subarray(at, at + inner));
  }
  // As the cpu kernel: the float32 sum divided by the float32 count.
  if (mean) for (let i = 0, n = Math.fround(xv.length / out.length); i < out.length; i++) out[i] = out[i]! / n;
  const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(kept, axes) : kept;
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const sumConfig = nativeKernel('Sum', ({ inputs, backend, attrs }) => reduce(inputs.x, backend, attrs, false));
export const meanConfig = nativeKernel('Mean', ({ inputs, backend, attrs }) => reduce(inputs.x, backend, attrs, true));

export const reduceConfigs = [sumConfig, meanConfig];
