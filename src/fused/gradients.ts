/** Gradients of the fused kernels. */
import { engine, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
import {
  ActivationMaxPool,
  ActivationMaxPoolGrad,
  BatchNormTraining,
  BatchNormTrainingGrad,
  Conv2DBias,
  Conv2DBiasFilterGrad,
} from './kernel_names.js';

/**
 * The filter and bias gradients come out of one oneDNN call, made here up front; the input
 * gradient is a separate convolution, made only if asked for: TF.js asks only for inputs on
 * the path to the variables, so a model's first layer never computes it (its input is data).
 */
export const conv2dBiasGradConfig: GradConfig = {
  kernelName: Conv2DBias,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [Tensor, Tensor];
    const [dFilter, dBias] = engine().runKernel(Conv2DBiasFilterGrad, { x, dy: dy as Tensor }, { ...attrs, filterShape: filter.shape } as NamedAttrMap) as Tensor[];
    return {
      x: () => engine().runKernel('Conv2DBackpropInput', { dy: dy as Tensor, filter }, { ...attrs, dataFormat: 'NHWC', inputShape: x.shape } as NamedAttrMap) as Tensor,
      filter: () => dFilter!,
      bias: () => dBias!,
    };
  },
};

export const activationMaxPoolGradConfig: GradConfig = {
  kernelName: ActivationMaxPool,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    return { x: () => engine().runKernel(ActivationMaxPoolGrad, { dy: dy as Tensor, x }, attrs) as Tensor };
  },
};

/** One kernel for all three gradients; the statistics' own gradients (rarely used) included. */
export const batchNormTrainingGradConfig: GradConfig = {
  kernelName: BatchNormTraining,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as Array<Tensor | null>;
    const [x, scale, mean, variance] = saved as [Tensor, Tensor, Tensor, Tensor];
    const [dx, dscale, doffset] = engine().runKernel(BatchNormTrainingGrad, { dy: dy!, x, mean, variance, scale, dmean: dmean!, dvariance: dvariance! }, attrs) as Tensor[];
    return { x: () => dx!, scale: () => dscale!, offset: () => doffset! };
  },
};

/** The gradients above, registered by `src/register.ts` (by kernel name, for every backend). */
export const FUSED_GRADIENTS: readonly GradConfig[] = [conv2dBiasGradConfig, activationMaxPoolGradConfig, batchNormTrainingGradConfig];
