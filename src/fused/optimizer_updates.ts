/**
 * Adam's and momentum SGD's updates as one kernel per variable (on a backend that registers
 * {@link AdamUpdate} and {@link MomentumUpdate}) instead of TF.js's thirteen and four
 * element-wise ops. They keep the tfjs optimizers' own state (moments, accumulations, beta
 * powers, iteration count), so checkpoints and `getWeights`/`setWeights` work unchanged and the
 * two paths can alternate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AdamUpdate, hasFusedKernel, MomentumUpdate } from './kernel_names.js';

/** A gradient and its variable's name, as tfjs's `applyGradients` takes them. */
export type NamedTensor = { name: string; tensor: tf.Tensor };

/** A tfjs optimizer's slot for one variable (moment, accumulation). */
export type Slot = { originalName: string; variable: tf.Variable } | undefined;

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

/** tf.AdamOptimizer's fields this needs (private in its typings, public at run time). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
  incrementIterations(): void;
}

/**
 * Applies `optimizer`'s update for `grads` with one {@link AdamUpdate} kernel per variable when the
 * active backend has it, and returns `true`; returns `false` (having done nothing) otherwise.
 * For an Adam subclass: `if (!applyAdamUpdate(this, grads)) super.applyGradients(grads);`.
 */
export function applyAdamUpdate(optimizer: tf.AdamOptimizer, grads: tf.NamedTensorMap | NamedTensor[]): boolean {
  if (!hasFusedKernel(AdamUpdate)) return false;
  const o = optimizer as unknown as AdamState;
  tf.tidy(() => {
    const attrs = {
      learningRate: o.learningRate,
      beta1: o.beta1,
      beta2: o.beta2,
      epsilon: o.epsilon,
      accBeta1: o.accBeta1.dataSync()[0]!,
      accBeta2: o.accBeta2.dataSync()[0]!,
    };
    forEachGradient(grads, (name, i, value, gradient) => {
      const m = slot(o.accumulatedFirstMoment, i, name, 'm', value);
      const v = slot(o.accumulatedSecondMoment, i, name, 'v', value);
      if (gradient === null) return;
      const [newValue, newM, newV] = tf.engine().runKernel(AdamUpdate, { value, m, v, gradient }, attrs) as tf.Tensor[];
      m.assign(newM!);
      v.assign(newV!);
      value.assign(newValue!);
    });
    o.accBeta1.assign(tf.mul(o.accBeta1, o.beta1));
    o.accBeta2.assign(tf.mul(o.accBeta2, o.beta2));
  });
  o.incrementIterations();
  return true;
}

/** tf.MomentumOptimizer's fields this needs (private in its typings, public at run time). */
interface MomentumState {
  learningRate: number;
  momentum: number;
  useNesterov: boolean;
  accumulations: Slot[];
  incrementIterations(): void;
}

/**
 * Applies `optimizer`'s update for `grads` with one {@link MomentumUpdate} kernel per variable when
 * the active backend has it (and Nesterov momentum is off), and returns `true`; returns `false` (having done
 * nothing) otherwise. For a MomentumOptimizer subclass:
 * `if (!applyMomentumUpdate(this, grads)) super.applyGradients(grads);`.
 */
export function applyMomentumUpdate(optimizer: tf.MomentumOptimizer, grads: tf.NamedTensorMap | NamedTensor[]): boolean {
  const o = optimizer as unknown as MomentumState;
  if (!hasFusedKernel(MomentumUpdate) || o.useNesterov) return false;
  tf.tidy(() => {
    const attrs = { momentum: o.momentum, learningRate: o.learningRate };
    forEachGradient(grads, (name, i, value, gradient) => {
      const accumulation = slot(o.accumulations, i, name, 'momentum', value);
      if (gradient === null) return;
      const [newValue, newAccumulation] = tf.engine().runKernel(MomentumUpdate, { value, accumulation, gradient }, attrs) as tf.Tensor[];
      accumulation.assign(newAccumulation!);
      value.assign(newValue!);
    });
  });
  o.incrementIterations();
  return true;
}
