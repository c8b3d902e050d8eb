/** Conv2D, FusedConv2D and both convolution gradients on oneDNN (NHWC, float32). */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { FusedAct } from '../addon.js';
import type { NativeBackend } from '../backend.js';
import { nativeKernel, sizeOf } from './util.js';

type Shape4 = [number, number, number, number];
type ConvAttrs = {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/**
 * The addon's 17-value geometry. The right/bottom padding is derived from the output size
 * (oneDNN checks out = (in + pad_l + pad_r - kernel) / stride + 1), which also covers the
 * rounding modes where TF.js's own pad figures would not satisfy that.
 */
export function convGeometry(c: backend_util.Conv2DInfo): Int32Array {
  const padBottom = (c.outHeight - 1) * c.strideHeight + (c.filterHeight - 1) * c.dilationHeight + 1 - c.inHeight - c.padInfo.top;
  const padRight = (c.outWidth - 1) * c.strideWidth + (c.filterWidth - 1) * c.dilationWidth + 1 - c.inWidth - c.padInfo.left;
  return Int32Array.of(
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outChannels, c.filterHeight, c.filterWidth,
    c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth,
    c.padInfo.top, c.padInfo.left, padBottom, padRight, c.outHeight, c.outWidth,
  );
}

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs): backend_util.Conv2DInfo | null {
  if (a.dataFormat === 'NCHW' || xShape.length !== 4 || filterShape.length !== 4) return null;
  const c = backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  return sizeOf(c.inShape) > 0 && sizeOf(c.outShape) > 0 && c.filterHeight > 0 && c.filterWidth > 0 ? c : null;
}

/** oneDNN has no implementation for this configuration: hand the buffer back, use the cpu kernel. */
function declined(backend: NativeBackend, buffer: Float32Array): null {
  backend.release(buffer);
  return null;
}

function forward(backend: NativeBackend, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | undefined, act: FusedAct, attrs: ConvAttrs): TensorInfo | null {
  const xv = backend.f32(x);
  const wv = backend.f32(filter);
  const bv = bias === undefined ? null : backend.f32(bias);
  if (!xv || !wv || bv === undefined) return null;
  const c = convInfo(x.shape, filter.shape, attrs);
  if (c === null) return null;
  if (bias !== undefined && (bv!.length !== c.outChannels || bias.shape[bias.shape.length - 1] !== c.outChannels)) return null;
  const y = backend.alloc(sizeOf(c.outShape));
  if (!backend.addon.conv2dForward(xv, wv, bv, y, convGeometry(c), act)) return declined(backend, y);
  return backend.makeTensorInfo(c.outShape, 'float32', y);
}

export const conv2dConfig = nativeKernel('Conv2D', ({ inputs, backend, attrs }) =>
  forward(backend, inputs.x, inputs.filter, undefined, 0, attrs as unknown as ConvAttrs),
);

const FUSABLE: Record<string, FusedAct> = { linear: 0, relu: 1 };

export const fusedConv2dConfig = nativeKernel('FusedConv2D', ({ inputs, backend, attrs }) => {
  const act = FUSABLE[(attrs.activation as string | undefined) ?? 'linear'];
  if (act === undefined || inputs.preluActivationWeights != null) return null;
  return forward(backend, inputs.x, inputs.filter, inputs.bias ?? undefined, act, attrs as unknown as ConvAttrs);
});

export const conv2dBackpropInputConfig = nativeKernel('Conv2DBackpropInput', ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs;
  const dyv = backend.f32(dy);
  const wv = backend.f32(filter);
  const inputShape = attrs.inputShape as number[];
  if (!dyv || !wv) return null;
  const c = convInfo(inputShape, filter.shape, { ...(attrs as unknown as ConvAttrs), dilations: 1 });
  if (c === null || c.outHeight !== dy.shape[1] || c.outWidth !== dy.shape[2]) return null;
  const dx = backend.alloc(sizeOf(inputShape));
  if (!backend.addon.conv2dBackwardData(dyv, wv, dx, convGeometry(c))) return declined(backend, dx);
  return backend.makeTensorInfo(inputShape, 'float32', dx);
});

export const conv2dBackpropFilterConfig = nativeKernel('Conv2DBackpropFilter', ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  const xv = backend.f32(x);
  const dyv = backend.f32(dy);
  const filterShape = attrs.filterShape as number[];
  if (!xv || !dyv) return null;
  const c = convInfo(x.shape, filterShape, { ...(attrs as unknown as ConvAttrs), dilations: 1 });
  if (c === null || c.outHeight !== dy.shape[1] || c.outWidth !== dy.shape[2]) return null;
  const dw = backend.alloc(sizeOf(filterShape));
  if (!backend.addon.conv2dBackwardFilter(xv, dyv, dw, null, convGeometry(c))) return declined(backend, dw);
  return backend.makeTensorInfo(filterShape, 'float32', dw);
});

export const convConfigs = [conv2dConfig, fusedConv2dConfig, conv2dBackpropInputConfig, conv2dBackpropFilterConfig];
