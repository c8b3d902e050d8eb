/** Sum over leading axes (bias gradients) or trailing axes, float32, accumulated in double. */
import { backend_util, util } from '@tensorflow/tfjs-core';
import { nativeKernel, sizeOf } from './util.js';

export const sumConfig = nativeKernel('Sum', ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const xv = backend.f32(x);
  if (!xv || xv.length === 0) return null;
  const rank = x.shape.length;
  const axes = [...new Set(util.parseAxisParam(attrs.axis as number | number[], x.shape))].sort((p, q) => p - q);
  if (axes.length === 0) return null;
  const leading = axes.every((a, i) => a === i);
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  if (!leading && !trailing) return null;
  const kept = x.shape.filter((_, i) => !axes.includes(i));
  const out = backend.alloc(sizeOf(kept));
  if (leading) backend.addon.sumLeading(xv, out);
  else backend.addon.sumTrailing(xv, out);
  const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(kept, axes) : kept;
  return backend.makeTensorInfo(shape, 'float32', out);
});

export const reduceConfigs = [sumConfig];
