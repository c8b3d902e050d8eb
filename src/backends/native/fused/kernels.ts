/** `native` implementations of the fused training path's kernels. */
import { backend_util, getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../backend.js';
import { convGeometry, fusedConv2dConfig } from '../kernels/conv.js';
import { poolInfo, type PoolAttrs } from '../kernels/pool.js';
import { bump, kernelCounts, NATIVE_BACKEND, sizeOf } from '../kernels/util.js';
import {
  NativeActivationMaxPool,
  NativeActivationMaxPoolGrad,
  NativeConv2DBias,
  NativeConv2DBiasFilterGrad,
  POOL_ACTIVATIONS,
  type PoolActivation,
} from './kernel_names.js';

type Shape4 = [number, number, number, number];

function kernel(kernelName: string, impl: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    bump(kernelCounts.native, kernelName);
    return impl(args);
  };
  return { kernelName, backendName: NATIVE_BACKEND, kernelFunc };
}

function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`${what}: expected float32 NHWC tensors`);
  return value;
}

const conv2dBias = kernel(NativeConv2DBias, ({ inputs, backend, attrs }) =>
  fusedConv2dConfig.kernelFunc({ inputs, backend, attrs: { ...attrs, dataFormat: 'NHWC', dilations: 1, activation: 'linear' } }),
);

const conv2dBiasFilterGrad = kernel(NativeConv2DBiasFilterGrad, ({ inputs, backend: b, attrs }) => {
  const backend = b as NativeBackend;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const filterShape = attrs!.filterShape as number[];
  const a = attrs as unknown as { strides: [number, number] | number; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const c = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const xv = must(backend.f32(x), NativeConv2DBiasFilterGrad);
  const dyv = must(backend.f32(dy), NativeConv2DBiasFilterGrad);
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
  if (code === undefined) throw new Error(`${NativeActivationMaxPool}: unknown activation ${(attrs as { activation: string }).activation}`);
  return code;
}

const activationMaxPool = kernel(NativeActivationMaxPool, ({ inputs, backend: b, attrs }) => {
  const backend = b as NativeBackend;
  const x = inputs.x as TensorInfo;
  const xv = must(backend.f32(x), NativeActivationMaxPool);
  const p = must(poolInfo(x.shape, attrs as unknown as PoolAttrs, true), NativeActivationMaxPool);
  const y = backend.alloc(sizeOf(p.info.outShape));
  backend.addon.maxPool(xv, y, p.geom, activationCode(attrs!));
  return backend.makeTensorInfo(p.info.outShape, 'float32', y);
});

const activationMaxPoolGrad = kernel(NativeActivationMaxPoolGrad, ({ inputs, backend: b, attrs }) => {
  const backend = b as NativeBackend;
  const x = inputs.x as TensorInfo;
  const xv = must(backend.f32(x), NativeActivationMaxPoolGrad);
  const dyv = must(backend.f32(inputs.dy as TensorInfo), NativeActivationMaxPoolGrad);
  const p = must(poolInfo(x.shape, attrs as unknown as PoolAttrs, true), NativeActivationMaxPoolGrad);
  const dx = backend.alloc(xv.length);
  backend.addon.maxPoolGrad(dyv, xv, dx, p.geom, activationCode(attrs!));
  return backend.makeTensorInfo(x.shape, 'float32', dx);
});

export const fusedKernelConfigs: KernelConfig[] = [conv2dBias, conv2dBiasFilterGrad, activationMaxPool, activationMaxPoolGrad];
