/** `native` implementations of the fused training path's kernels. */
import { backend_util, getKernel, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../backend.js';
import { normalizeInto } from '../kernels/batch_norm.js';
import { convGeometry, fusedConv2dConfig } from '../kernels/conv.js';
import { poolInfo, type PoolAttrs } from '../kernels/pool.js';
import { NATIVE_BACKEND, nativeOnlyKernel, sizeOf } from '../kernels/util.js';
import {
  ActivationMaxPool,
  ActivationMaxPoolGrad,
  BatchNormTraining,
  BatchNormTrainingGrad,
  Conv2DBias,
  Conv2DBiasFilterGrad,
  POOL_ACTIVATIONS,
  type PoolActivation,
} from '../../../fused/kernel_names.js';

type Shape4 = [number, number, number, number];

function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`${what}: expected float32 NHWC tensors`);
  return value;
}

const conv2dBias = nativeOnlyKernel(Conv2DBias, ({ inputs, backend, attrs }) =>
  fusedConv2dConfig.kernelFunc({ inputs, backend, attrs: { ...attrs, dataFormat: 'NHWC', dilations: 1, activation: 'linear' } }),
);

const conv2dBiasFilterGrad = nativeOnlyKernel(Conv2DBiasFilterGrad, ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const filterShape = attrs.filterShape as number[];
  const a = attrs as unknown as { strides: [number, number] | number; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const c = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const xv = must(backend.f32(x), Conv2DBiasFilterGrad);
  const dyv = must(backend.f32(dy), Conv2DBiasFilterGrad);
  const dw = backend.alloc(sizeOf(filterShape));
  const db = backend.alloc(c.outChannels);
  if (backend.addon.conv2dBackwardFilter(xv, dyv, dw, db, convGeometry(c))) {
    return [backend.makeTensorInfo(filterShape, 'float32', dw), backend.makeTensorInfo([c.outChannels], 'float32', db)];
  }
  // No oneDNN implementation for this geometry: the separate kernels (cpu where need be).
  backend.release(dw);
  backend.release(db);
  const filterGrad = getKernel('Conv2DBackpropFilter', NATIVE_BACKEND)!.kernelFunc({ inputs: { x, dy }, backend, attrs: { ...attrs, dataFormat: 'NHWC' } }) as TensorInfo;
  const biasGrad = getKernel('Sum', NATIVE_BACKEND)!.kernelFunc({ inputs: { x: dy }, backend, attrs: { axis: [0, 1, 2], keepDims: false } }) as TensorInfo;
  return [filterGrad, biasGrad];
});

function activationCode(attrs: object): 0 | 1 | 2 {
  const code = POOL_ACTIVATIONS[(attrs as { activation: PoolActivation }).activation];
  if (code === undefined) throw new Error(`${ActivationMaxPool}: unknown activation ${(attrs as { activation: string }).activation}`);
  return code;
}

const activationMaxPool = nativeOnlyKernel(ActivationMaxPool, ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const xv = must(backend.f32(x), ActivationMaxPool);
  const p = must(poolInfo(x.shape, attrs as unknown as PoolAttrs, true), ActivationMaxPool);
  const y = backend.alloc(sizeOf(p.info.outShape));
  backend.addon.maxPool(xv, y, p.geom, activationCode(attrs));
  return backend.makeTensorInfo(p.info.outShape, 'float32', y);
});

const activationMaxPoolGrad = nativeOnlyKernel(ActivationMaxPoolGrad, ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const xv = must(backend.f32(x), ActivationMaxPoolGrad);
  const dyv = must(backend.f32(inputs.dy as TensorInfo), ActivationMaxPoolGrad);
  const p = must(poolInfo(x.shape, attrs as unknown as PoolAttrs, true), ActivationMaxPoolGrad);
  const dx = backend.alloc(xv.length);
  backend.addon.maxPoolGrad(dyv, xv, dx, p.geom, activationCode(attrs));
  return backend.makeTensorInfo(x.shape, 'float32', dx);
});

/** Per-channel float32 values of an optional input, checked against the channel count. */
function channelValues(backend: NativeBackend, t: TensorInfo | null | undefined, channels: number, what: string): Float32Array | null {
  if (t == null) return null;
  const v = must(backend.f32(t), what);
  if (v.length !== channels) throw new Error(`${what}: expected ${channels} per-channel values, got ${v.length}`);
  return v;
}

/** 1 / sqrt(variance + epsilon) per channel, rounded once: forward and gradient use the same. */
const invStd = (variance: Float32Array, epsilon: number) => Float32Array.from(variance, (v) => 1 / Math.sqrt(v + epsilon));

const batchNormTraining = nativeOnlyKernel(BatchNormTraining, ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const xv = must(backend.f32(x), BatchNormTraining);
  const c = x.shape[x.shape.length - 1]!;
  const scale = channelValues(backend, inputs.scale, c, BatchNormTraining);
  const offset = channelValues(backend, inputs.offset, c, BatchNormTraining) ?? new Float32Array(c);
  const epsilon = attrs.varianceEpsilon as number;
  const mean = new Float32Array(c);
  const variance = new Float32Array(c);
  backend.addon.batchNormStats(xv, mean, variance);
  const y = backend.alloc(xv.length);
  normalizeInto(backend, xv, mean, variance, scale, offset, epsilon, y);
  return [backend.makeTensorInfo(x.shape, 'float32', y), backend.makeTensorInfo([c], 'float32', mean), backend.makeTensorInfo([c], 'float32', variance)];
});

/**
 * With a = scale * invstd and N values per channel: dx = a (dy - mean(dy) - xhat mean(dy xhat))
 * + dmean / N + 2 dvariance (x - mean) / N, dscale = sum(dy xhat), doffset = sum(dy).
 */
const batchNormTrainingGrad = nativeOnlyKernel(BatchNormTrainingGrad, ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const xv = must(backend.f32(x), BatchNormTrainingGrad);
  const dy = must(backend.f32(inputs.dy as TensorInfo), BatchNormTrainingGrad);
  const c = x.shape[x.shape.length - 1]!;
  const n = xv.length / c;
  const mean = channelValues(backend, inputs.mean, c, BatchNormTrainingGrad)!;
  const variance = channelValues(backend, inputs.variance, c, BatchNormTrainingGrad)!;
  const scale = channelValues(backend, inputs.scale, c, BatchNormTrainingGrad);
  const dmean = channelValues(backend, inputs.dmean, c, BatchNormTrainingGrad);
  const dvariance = channelValues(backend, inputs.dvariance, c, BatchNormTrainingGrad);
  const inv = invStd(variance, attrs.varianceEpsilon as number);
  const sums = new Float32Array(2 * c);
  backend.addon.batchNormGradSums(dy, xv, mean, inv, sums);
  const a = new Float32Array(c);
  const p = new Float32Array(c);
  const q = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const aj = (scale === null ? 1 : scale[j]!) * inv[j]!;
    a[j] = aj;
    p[j] = ((-aj * sums[c + j]!) / n) * inv[j]! + (2 * (dvariance?.[j] ?? 0)) / n;
    q[j] = (-aj * sums[j]!) / n + (dmean?.[j] ?? 0) / n;
  }
  const dx = backend.alloc(xv.length);
  backend.addon.batchNormBackward(dy, xv, mean, a, p, q, dx);
  return [backend.makeTensorInfo(x.shape, 'float32', dx), backend.makeTensorInfo([c], 'float32', sums.slice(c)), backend.makeTensorInfo([c], 'float32', sums.slice(0, c))];
});

export const fusedKernelConfigs: KernelConfig[] = [
  conv2dBias,
  conv2dBiasFilterGrad,
  activationMaxPool,
  activationMaxPoolGrad,
  batchNormTraining,
  batchNormTrainingGrad,
];
