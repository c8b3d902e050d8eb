/** Gradients of the fused kernels. */
import { engine, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
import {
  NativeActivationMaxPool,
  NativeActivationMaxPoolGrad,
  NativeBatchNormTraining,
  NativeBatchNormTrainingGrad,
  NativeConv2DBias,
  NativeConv2DBiasFilterGrad,
} from './kernel_names.js';

/**
 * The filter and bias gradients come out of one oneDNN call, made here up front; the input
 * gradient is a separate convolution, made only if asked for: TF.js asks only for inputs on
 * the path to the variables, so a model's first layer never computes it (its input is data).
 */
export const conv2dBiasGradConfig: GradConfig = {
  kernelName: NativeConv2DBias,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [Tensor, Tensor];
    const [dFilter, dBias] = engine().runKernel(NativeConv2DBiasFilterGrad, { x, dy: dy as Tensor }, { ...attrs, filterShape: filter.shape } as NamedAttrMap) as Tensor[];
    return {
      x: () => engine().runKernel('Conv2DBackpropInput', { dy: dy as Tensor, filter }, { ...attrs, dataFormat: 'NHWC', inputShape: x.shape } as NamedAttrMap) as Tensor,
      filter: () => dFilter!,
      bias: () => dBias!,
    };
  },
};

export const activationMaxPoolGradConfig: GradConfig = {
  kernelName: NativeActivationMaxPool,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    return { x: () => engine().runKernel(NativeActivationMaxPoolGrad, { dy: dy as Tensor, x }, attrs) as Tensor };
  },
};

/** One kernel for all three gradients; the statistics' own gradients (rarely used) included. */
export const batchNormTrainingGradConfig: GradConfig = {
  kernelName: NativeBatchNormTraining,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as Array<Tensor | null>;
    const [x, scale, mean, variance] = saved as [Tensor, Tensor, Tensor, Tensor];
    const [dx, dscale, doffset] = engine().runKernel(NativeBatchNormTrainingGrad, { dy: dy!, x, mean, variance, scale, dmean: dmean!, dvariance: dvariance! }, attrs) as Tensor[];
    return { x: () => dx!, scale: () => dscale!, offset: () => doffset! };
  },
};
