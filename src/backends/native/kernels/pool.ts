/** MaxPool and its gradient (NHWC, float32), with the cpu backend's argmax rule. */
import { backend_util, util } from '@tensorflow/tfjs-core';
import { nativeKernel, sizeOf } from './util.js';

export type PoolAttrs = {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/**
 * Pooling geometry for the addon, or `null` for shapes it does not take: not rank 4, empty, or
 * (unless `keepIdentity`) a 1x1 window keeping the shape, an identity the cpu kernel returns
 * without a copy.
 */
export function poolInfo(shape: number[], a: PoolAttrs, keepIdentity = false): { info: backend_util.Conv2DInfo; geom: Int32Array } | null {
  if (shape.length !== 4) return null;
  const c = backend_util.computePool2DInfo(shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  if (sizeOf(c.outShape) === 0 || sizeOf(c.inShape) === 0) return null;
  if (!keepIdentity && c.filterHeight === 1 && c.filterWidth === 1 && util.arraysEqual(c.inShape, c.outShape)) return null;
  const geom = Int32Array.of(
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth,
    c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left, c.outHeight, c.outWidth,
  );
  return { info: c, geom };
}

export const maxPoolConfig = nativeKernel('MaxPool', ({ inputs, backend, attrs }) => {
  const xv = backend.f32(inputs.x);
  const p = xv && poolInfo(inputs.x.shape, attrs as unknown as PoolAttrs);
  if (!xv || !p) return null;
  const y = backend.alloc(sizeOf(p.info.outShape));
  backend.addon.maxPool(xv, y, p.geom);
  return backend.makeTensorInfo(p.info.outShape, 'float32', y);
});

export const maxPoolGradConfig = nativeKernel('MaxPoolGrad', ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs;
  const dyv = backend.f32(dy);
  const xv = backend.f32(input);
  const p = xv && poolInfo(input.shape, attrs as unknown as PoolAttrs);
  if (!dyv || !xv || !p || dyv.length !== sizeOf(p.info.outShape)) return null;
  const dx = backend.alloc(xv.length);
  backend.addon.maxPoolGrad(dyv, xv, dx, p.geom);
  return backend.makeTensorInfo(input.shape, 'float32', dx);
});

export const poolConfigs = [maxPoolConfig, maxPoolGradConfig];
