/**
 * Seeing a model's activations during an ordinary forward pass. TensorFlow.js has no forward
 * hooks, so the hooks are installed by hand for the length of one call: a layer with a fused
 * `activation` (Conv2D, Dense, Activation) gets a wrapped activation object that records its
 * input and output; a standalone element-wise activation layer (LiSHT, PReLU, LeakyReLU, ...)
 * gets a wrapped `call`. The forward pass is then the model's own, so the recorded values are
 * exactly what training sees, for Sequential and functional models alike.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** The part of a tfjs-layers activation object that layers use. */
interface ActivationObject {
  getClassName(): string;
  apply(x: tf.Tensor, axis?: number): tf.Tensor;
}

type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Activations whose derivative is not element-wise, or that are no activation at all. */
const NOT_ELEMENTWISE = new Set(['linear', 'softmax', 'logSoftmax']);

/** Standalone layers that apply an element-wise activation to their one input. */
const ACTIVATION_LAYERS = new Set(['LiSHT', 'PReLU', 'LeakyReLU', 'ELU', 'ReLU', 'ThresholdedReLU']);

/** Where a model applies an activation. */
export interface ActivationSite {
  layer: tfl.layers.Layer;
  /** `fused`: the layer's own `activation` option; `layer`: the layer is the activation. */
  kind: 'fused' | 'layer';
  /** e.g. `relu`, `lisht`, `PReLU`. */
  activation: string;
}

/** What one forward pass recorded at one site. Tensors are kept; dispose them. */
export interface RecordedActivation {
  site: ActivationSite;
  /** The activation's input (pre-activation). */
  input: tf.Tensor;
  /** The activation's output. */
  output: tf.Tensor;
}

/** Every layer of `model`, nested models flattened, in the model's (topological) order. */
export function flatLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  return model.layers.flatMap((layer) => (layer instanceof tfl.LayersModel ? flatLayers(layer) : [layer]));
}

function activationObject(layer: tfl.layers.Layer): ActivationObject | null {
  const act = (layer as unknown as { activation?: ActivationObject | null }).activation;
  return act != null && typeof act.apply === 'function' && typeof act.getClassName === 'function' ? act : null;
}

/**
 * The activation sites of `model`: element-wise activations only, so the softmax output and
 * linear layers are left out.
 */
export function activationSites(model: tfl.LayersModel): ActivationSite[] {
  const sites: ActivationSite[] = [];
  for (const layer of flatLayers(model)) {
    const act = activationObject(layer);
    if (act !== null) {
      if (!NOT_ELEMENTWISE.has(act.getClassName())) sites.push({ layer, kind: 'fused', activation: act.getClassName() });
    } else if (ACTIVATION_LAYERS.has(layer.getClassName())) {
      sites.push({ layer, kind: 'layer', activation: layer.getClassName() });
    }
  }
  return sites;
}

/**
 * The activation of `site` as a function, for derivatives: f(z) with the layer's current
 * weights (PReLU's slope).
 */
export function activationFunction(site: ActivationSite): (z: tf.Tensor) => tf.Tensor {
  if (site.kind === 'fused') {
    const act = activationObject(site.layer)!;
    return (z) => act.apply(z);
  }
  const layer = site.layer as unknown as { call: LayerCall };
  return (z) => layer.call(z, {}) as tf.Tensor;
}

/**
 * Element-wise derivative f'(z) of the site's activation. For an element-wise f, the gradient
 * of sum(f(z)) with respect to z is exactly f'(z), whatever f is.
 */
export function activationDerivative(site: ActivationSite, z: tf.Tensor): tf.Tensor {
  return tf.grad(activationFunction(site))(z);
}

/**
 * A handle of its own on `t`'s data, kept out of any `tidy`. Not `t` itself: a gradient tape
 * disposes the tensors kernels saved for the backward pass (ReLU's input, tanh's output) once
 * gradients are computed, and these may be exactly the recorded ones.
 */
function keepCopy(t: tf.Tensor): tf.Tensor {
  return tf.keep(tf.clone(t));
}

/**
 * Runs `forward` (which must call the model) with every site of `sites` recording its input
 * and output, and restores the layers afterwards, also when `forward` throws. Sites the
 * forward pass did not reach are absent from the result. Works inside `tf.variableGrads`:
 * the recorded tensors are kept out of the surrounding `tidy`.
 */
export function recordActivations<T>(sites: readonly ActivationSite[], forward: () => T): { result: T; recorded: RecordedActivation[] } {
  const recorded: RecordedActivation[] = [];
  const restore: (() => void)[] = [];
  try {
    for (const site of sites) {
      const target = site.layer as unknown as { activation: ActivationObject; call: LayerCall };
      if (site.kind === 'fused') {
        const original = target.activation;
        target.activation = {
          // Not a name tfjs fuses into conv/matMul kernels, so the layer calls apply() below.
          getClassName: () => `probe:${original.getClassName()}`,
          apply: (z: tf.Tensor, axis?: number) => {
            const y = original.apply(z, axis);
            recorded.push({ site, input: keepCopy(z), output: keepCopy(y) });
            return y;
          },
        };
        restore.push(() => void (target.activation = original));
      } else {
        const original = target.call;
        target.call = (inputs, kwargs) => {
          const y = original.call(target, inputs, kwargs);
          const z = Array.isArray(inputs) ? inputs[0]! : inputs;
          recorded.push({ site, input: keepCopy(z), output: keepCopy(y as tf.Tensor) });
          return y;
        };
        // The wrapper is an own property shadowing the prototype's method; deleting it restores.
        restore.push(() => void delete (target as Partial<typeof target>).call);
      }
    }
    const result = forward();
    return { result, recorded };
  } catch (err) {
    disposeRecorded(recorded);
    throw err;
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}

/** Disposes the tensors of recorded activations. */
export function disposeRecorded(recorded: readonly RecordedActivation[]): void {
  for (const r of recorded) tf.dispose([r.input, r.output]);
}
