/**
 * What the one-kernel optimizer updates (Adam, momentum SGD) share: their float32 inputs, the
 * tfjs optimizers' per-variable slots, and the walk over named gradients in tfjs's order.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeBackend } from './backend.js';

/** A gradient and its variable's name, as tfjs's `applyGradients` takes them. */
export type NamedTensor = { name: string; tensor: tf.Tensor };

/** A tfjs optimizer's slot for one variable (moment, accumulation). */
export type Slot = { originalName: string; variable: tf.Variable } | undefined;

/** The Float32Arrays behind `tensors`; throws, naming `kernelName`, for any other dtype. */
export function float32Inputs(backend: NativeBackend, tensors: tf.TensorInfo[], kernelName: string): Float32Array[] {
  return tensors.map((t) => {
    const values = backend.f32(t);
    if (values === undefined) throw new Error(`${kernelName}: expected float32 tensors`);
    return values;
  });
}

/** `slots[i]`, created as zeros shaped like `value` and named `<variable>/<suffix>` on first use, as tfjs does. */
export function slot(slots: Slot[], i: number, name: string, suffix: string, value: tf.Variable): tf.Variable {
  slots[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)) };
  return slots[i]!.variable;
}

/**
 * Calls `visit` for each variable of `grads` in order, with its registered variable and its
 * gradient (`null` for a variable the loss does not reach: tfjs creates its slots, then skips it).
 */
export function forEachGradient(grads: tf.NamedTensorMap | NamedTensor[], visit: (name: string, i: number, value: tf.Variable, gradient: tf.Tensor | null) => void): void {
  const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
  names.forEach((name, i) => {
    const gradient = Array.isArray(grads) ? grads[i]!.tensor : grads[name];
    visit(name, i, tf.engine().registeredVariables[name]!, gradient ?? null);
  });
}
