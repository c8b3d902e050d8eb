/** What the native optimizer update kernels (Adam, momentum SGD) share: their float32 inputs. */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeBackend } from './backend.js';

/** The Float32Arrays behind `tensors`; throws, naming `kernelName`, for any other dtype. */
export function float32Inputs(backend: NativeBackend, tensors: tf.TensorInfo[], kernelName: string): Float32Array[] {
  return tensors.map((t) => {
    const values = backend.f32(t);
    if (values === undefined) throw new Error(`${kernelName}: expected float32 tensors`);
    return values;
  });
}
