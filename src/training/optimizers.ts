/**
 * The optimizers the experiments use: Adam with Keras's defaults (the article's) and SGD with
 * momentum (He et al.'s ResNets), both with optional weight decay, and a learning rate that a
 * schedule can change between epochs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyAdamUpdate, applyMomentumUpdate } from '../fused/optimizer_updates.js';
import { UserError } from '../errors.js';

/** A gradient and its variable's name, as tfjs's `applyGradients` takes them. */
type NamedTensor = { name: string; tensor: tf.Tensor };

/** Optimizer names `createOptimizer` knows. */
export const OPTIMIZER_NAMES = ['adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Keras's Adam epsilon, which the article uses (tfjs's own default is 1e-8). */
export const ADAM_EPSILON = 1e-7;

/** Settings of {@link createOptimizer}; see {@link resolveOptimizerConfig} for the defaults. */
export interface OptimizerConfig {
  name: OptimizerName;
  /** Learning rate; default 0.001 for Adam (Keras), 0.1 for SGD (He et al.). */
  lr?: number;
  /** SGD only: momentum in [0, 1); default 0.9 (He et al.). */
  momentum?: number;
  /**
   * L2 weight decay coupled into the gradients (g + wd * w), the classic form He et al.'s SGD
   * used, applied to every trainable weight as Torch's `optim.sgd` did (BN's gamma and beta
   * included). Default 0 for Adam (the article), 1e-4 for SGD (He et al.).
   */
  weightDecay?: number;
}

/** An {@link OptimizerConfig} with every default filled in. */
export interface ResolvedOptimizerConfig {
  name: OptimizerName;
  lr: number;
  /** `null` for Adam. */
  momentum: number | null;
  weightDecay: number;
}

/** An optimizer whose learning rate a schedule can set between steps. */
export interface ScheduledOptimizer extends tf.Optimizer {
  readonly currentLearningRate: number;
  setLearningRate(lr: number): void;
}

/** Fills in the defaults and checks ranges; errors name the option. */
export function resolveOptimizerConfig(config: OptimizerConfig): ResolvedOptimizerConfig {
  const { name } = config;
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(name)) {
    throw new UserError(`unknown optimizer '${name}'; choose one of ${OPTIMIZER_NAMES.join(', ')}`);
  }
  const sgd = name === 'sgd';
  const lr = config.lr ?? (sgd ? 0.1 : 0.001);
  const weightDecay = config.weightDecay ?? (sgd ? 1e-4 : 0);
  if (!(Number.isFinite(lr) && lr > 0)) throw new UserError(`learning rate must be a positive number, got ${lr}`);
  if (!(Number.isFinite(weightDecay) && weightDecay >= 0)) throw new UserError(`weight decay must be a number >= 0, got ${weightDecay}`);
  if (!sgd && config.momentum !== undefined) throw new UserError('momentum applies to the sgd optimizer only (Adam has its own moment estimates)');
  const momentum = sgd ? (config.momentum ?? 0.9) : null;
  if (momentum !== null && !(Number.isFinite(momentum) && momentum >= 0 && momentum < 1)) {
    throw new UserError(`momentum must be in [0, 1), got ${momentum}`);
  }
  return { name, lr, momentum, weightDecay };
}

/**
 * Calls `apply` with the gradients plus `weightDecay` times their variables (the gradients
 * themselves when the decay is 0), and disposes the sums afterwards.
 */
function applyDecayed(grads: tf.NamedTensorMap | NamedTensor[], weightDecay: number, apply: (list: NamedTensor[]) => void): void {
  const list = Array.isArray(grads) ? grads : Object.keys(grads).map((name) => ({ name, tensor: grads[name] }));
  if (weightDecay === 0) return apply(list);
  const owned: tf.Tensor[] = [];
  const decayed = list.map(({ name, tensor }) => {
    // A variable the loss does not reach has no gradient; the optimizers skip it, so do we.
    if (tensor == null) return { name, tensor };
    const t = tf.tidy(() => tf.add(tensor, tf.mul(tf.engine().registeredVariables[name], weightDecay)));
    owned.push(t);
    return { name, tensor: t };
  });
  try {
    apply(decayed);
  } finally {
    tf.dispose(owned);
  }
}

/** tfjs's momentum SGD (v = m v + g; w -= lr v, as Torch's) with coupled weight decay. */
export class SgdOptimizer extends tf.MomentumOptimizer implements ScheduledOptimizer {
  constructor(
    lr: number,
    momentum: number,
    readonly weightDecay: number,
  ) {
    super(lr, momentum);
  }

  get currentLearningRate(): number {
    return this.learningRate;
  }

  /** One fused kernel per variable where the backend has it (`native`); tfjs's four element-wise ops elsewhere. */
  override applyGradients(grads: tf.NamedTensorMap | NamedTensor[]): void {
    applyDecayed(grads, this.weightDecay, (list) => {
      if (!applyMomentumUpdate(this, list)) super.applyGradients(list);
    });
  }
}

/** tfjs's Adam with coupled weight decay (L2 in the gradient, not AdamW) and a settable rate. */
export class AdamOptimizer extends tf.AdamOptimizer implements ScheduledOptimizer {
  constructor(
    lr: number,
    readonly weightDecay: number,
  ) {
    super(lr, 0.9, 0.999, ADAM_EPSILON);
  }

  get currentLearningRate(): number {
    return this.learningRate;
  }

  // tfjs's Adam reads `learningRate` at every step, so setting it is enough.
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  /** One fused kernel per variable where the backend has it (`native`); tfjs's thirteen element-wise ops elsewhere. */
  override applyGradients(grads: tf.NamedTensorMap | NamedTensor[]): void {
    applyDecayed(grads, this.weightDecay, (list) => {
      if (!applyAdamUpdate(this, list)) super.applyGradients(list);
    });
  }

  /**
   * tfjs restores the bias-correction powers beta^(t+1) with one `pow`, while training reaches
   * them by t float32 multiplications; the last bits differ (after 20 steps already), and so
   * would a resumed run. Redoing the multiplications makes the restored state the trained one.
   */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    await super.setWeights(weights);
    const self = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable; beta1: number; beta2: number };
    const steps = this.iterations;
    for (const [acc, beta] of [[self.accBeta1, self.beta1], [self.accBeta2, self.beta2]] as const) {
      let power: tf.Tensor = tf.scalar(beta);
      for (let i = 0; i < steps; i++) {
        const next = tf.mul(power, beta);
        power.dispose();
        power = next;
      }
      acc.assign(power);
      power.dispose();
    }
  }
}

/** A new optimizer for `config` (defaults filled in by {@link resolveOptimizerConfig}). */
export function createOptimizer(config: OptimizerConfig): ScheduledOptimizer {
  const c = resolveOptimizerConfig(config);
  return c.name === 'sgd' ? new SgdOptimizer(c.lr, c.momentum!, c.weightDecay) : new AdamOptimizer(c.lr, c.weightDecay);
}

/** Keras's Adam defaults, as the article uses them: learning rate 0.001, epsilon 1e-7. */
export function createAdam(learningRate = 0.001): AdamOptimizer {
  return new AdamOptimizer(learningRate, 0);
}

/** How reports name an optimizer, e.g. `SGD (learning rate 0.1, momentum 0.9, weight decay 0.0001)`. */
export function describeOptimizer(c: ResolvedOptimizerConfig): string {
  const decay = c.weightDecay > 0 ? `, weight decay ${c.weightDecay} (L2, coupled)` : '';
  return c.name === 'sgd'
    ? `SGD (learning rate ${c.lr}, momentum ${c.momentum}${decay})`
    : `Adam (learning rate ${c.lr}, epsilon ${ADAM_EPSILON}${decay})`;
}
