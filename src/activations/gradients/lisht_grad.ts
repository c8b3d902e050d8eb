import { engine, type GradConfig, type Tensor } from '@tensorflow/tfjs-core';
import { Lisht, LishtGrad } from '../kernel_names.js';

/** The gradient of `Lisht`: one fused `LishtGrad` kernel instead of a chain of elementwise ops. */
export const lishtGradConfig: GradConfig = {
  kernelName: Lisht,
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [x, y] = saved;
    return { x: () => engine().runKernel(LishtGrad, { dy: dy as Tensor, x, y }) as Tensor };
  },
};
