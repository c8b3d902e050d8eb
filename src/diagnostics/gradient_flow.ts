/**
 * Gradient flow: per layer, the loss gradient's norm, the weights' norm, and what the
 * activations do (mean, std, dead and saturated units), measured on a fixed probe batch.
 *
 * Cheap by design: one extra forward and backward pass on the probe batch per measurement
 * (at the start of training and after every epoch), never one per training step. The pass
 * runs in inference mode, so it changes nothing in the model (no BatchNorm statistics, no
 * dropout) and the numbers of two epochs differ only by training.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng, permutation } from '../random.js';
import type { Callback, TrainBeginInfo } from '../training/callbacks.js';
import type { ExampleSet } from '../training/data.js';
import { sparseCategoricalCrossentropy } from '../training/losses.js';
import { activationDerivative, activationSites, disposeRecorded, flatLayers, recordActivations, type RecordedActivation } from './probe.js';
import type { ActivationStats, GradientFlowRecord, LayerFlow } from './types.js';

/** Default threshold on |f'(z)| below which an activation passes "no gradient". */
export const DEFAULT_SATURATION_EPSILON = 1e-3;

/** Default number of training examples in the probe batch. */
export const DEFAULT_PROBE_SIZE = 100;

export interface GradientFlowOptions {
  /** Threshold of `low_gradient_fraction` and `saturated_fraction`; default 1e-3. */
  epsilon?: number;
}

/**
 * Statistics of one activation site. Units are the last axis (channels-last convolutions,
 * dense neurons). The output and derivative are read back once and reduced in one pass here:
 * backends without reduction kernels along axis 0 (and for comparisons) would otherwise
 * transpose the whole activation several times, costing more than the probe's forward pass.
 */
async function siteStats(r: RecordedActivation, epsilon: number): Promise<ActivationStats> {
  const units = r.output.shape[r.output.shape.length - 1] ?? 1;
  const derivative = tf.tidy(() => activationDerivative(r.site, r.input));
  const [y, d] = (await Promise.all([r.output.data(), derivative.data()])) as [Float32Array, Float32Array];
  derivative.dispose();
  const n = y.length;
  // Float64 sums, and the variance about the mean (two passes): exact enough for any scale.
  let sum = 0;
  for (let i = 0; i < n; i++) sum += y[i]!;
  const mean = sum / n;
  let squares = 0;
  let zeros = 0;
  let lows = 0;
  const active = new Uint8Array(units); // some example has a nonzero output
  const passes = new Uint8Array(units); // some example has |f'(z)| >= epsilon
  for (let i = 0, u = 0; i < n; i++, u = u + 1 === units ? 0 : u + 1) {
    const v = y[i]!;
    squares += (v - mean) * (v - mean);
    if (v === 0) zeros++;
    else active[u] = 1;
    if (Math.abs(d[i]!) < epsilon) lows++;
    else passes[u] = 1;
  }
  let dead = 0;
  let saturated = 0;
  for (let u = 0; u < units; u++) {
    if (active[u] === 0) dead++;
    else if (passes[u] === 0) saturated++;
  }
  return {
    activation: r.site.activation,
    units,
    mean,
    std: Math.sqrt(squares / n),
    zero_fraction: zeros / n,
    dead_fraction: dead / units,
    low_gradient_fraction: lows / n,
    saturated_fraction: saturated / units,
  };
}

/**
 * Measures the gradient flow of `model` on one batch: inputs `x`, integer labels `y`. The
 * loss is the training loss (mean sparse categorical cross-entropy of the softmax output);
 * gradients are taken in inference mode. `epoch` is only copied into the record.
 */
export async function measureGradientFlow(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor1D, epoch: number, options: GradientFlowOptions = {}): Promise<GradientFlowRecord> {
  const started = performance.now();
  const epsilon = options.epsilon ?? DEFAULT_SATURATION_EPSILON;
  const layers = flatLayers(model);
  const variables = layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  if (variables.length === 0) throw new Error('gradient flow: the model has no trainable weights');
  const sites = activationSites(model);
  let recorded: RecordedActivation[] = [];
  let loss: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap = {};
  try {
    const out = tf.variableGrads(() => {
      const run = recordActivations(sites, () => sparseCategoricalCrossentropy(model.apply(x, { training: false }) as tf.Tensor, y));
      recorded = run.recorded;
      return run.result;
    }, variables);
    loss = out.value;
    grads = out.grads;
    // One norm per layer, all squared sums stacked so they come back in one transfer.
    const norms = tf.tidy(() => {
      const squared = (ts: tf.Tensor[]) => (ts.length === 0 ? tf.scalar(0) : tf.addN(ts.map((t) => tf.sum(tf.square(t)))));
      return tf.sqrt(
        tf.stack(
          layers.flatMap((l) => {
            const vs = l.trainableWeights.map((w) => w.read() as tf.Variable);
            // A weight the loss does not reach (e.g. a frozen branch) has no gradient: zero.
            return [squared(vs.flatMap((v) => grads[v.name] ?? [])), squared(vs)];
          }).concat([tf.scalar(0)]),
        ),
      );
    });
    const normValues = await norms.data();
    norms.dispose();
    const bySite = new Map<tfl.layers.Layer, ActivationStats>();
    for (const r of recorded) bySite.set(r.site.layer, await siteStats(r, epsilon));
    const flows: LayerFlow[] = [];
    layers.forEach((layer, i) => {
      const hasWeights = layer.trainableWeights.length > 0;
      const activation = bySite.get(layer) ?? null;
      if (!hasWeights && activation === null) return;
      flows.push({
        layer: layer.name,
        class_name: layer.getClassName(),
        grad_norm: hasWeights ? normValues[2 * i]! : null,
        weight_norm: hasWeights ? normValues[2 * i + 1]! : null,
        activation,
      });
    });
    const [lossValue] = await loss.data();
    return { epoch, loss: lossValue!, probe_size: x.shape[0]!, epsilon, seconds: (performance.now() - started) / 1000, layers: flows };
  } finally {
    disposeRecorded(recorded);
    tf.dispose([...(loss ? [loss] : []), ...Object.values(grads)]);
  }
}

/** A fixed batch of training examples to measure on: the same examples every epoch. */
export interface ProbeBatch {
  set: ExampleSet;
  indices: Int32Array;
}

/** `size` training examples of `set` drawn with `seed` (all of them when the set is smaller). */
export function probeBatch(set: ExampleSet, size = DEFAULT_PROBE_SIZE, seed = 0): ProbeBatch {
  const n = Math.min(size, set.count);
  return { set, indices: permutation(set.count, createRng(`${seed}:gradient-flow-probe`)).slice(0, n) };
}

/**
 * A training callback recording the gradient flow before training (epoch 0, unless resuming)
 * and after every epoch, into `records` (pass an array stored with the run to keep them).
 */
export class GradientFlowCallback implements Callback {
  constructor(
    private readonly model: tfl.LayersModel,
    private readonly probe: ProbeBatch,
    readonly records: GradientFlowRecord[] = [],
    private readonly options: GradientFlowOptions = {},
  ) {}

  private async measure(epoch: number): Promise<void> {
    const { set, indices } = this.probe;
    const x = set.inputs(indices, 0, indices.length);
    const y = set.targets(indices, 0, indices.length);
    try {
      const record = await measureGradientFlow(this.model, x, y, epoch, this.options);
      // A resumed run repeats no epoch, but keep the records unique regardless.
      const at = this.records.findIndex((r) => r.epoch === epoch);
      if (at >= 0) this.records[at] = record;
      else this.records.push(record);
    } finally {
      tf.dispose([x, y]);
    }
  }

  async onTrainBegin(info: TrainBeginInfo): Promise<void> {
    if (info.initialEpoch === 0) await this.measure(0);
  }

  async onEpochEnd(epoch: number): Promise<void> {
    await this.measure(epoch + 1);
  }
}
