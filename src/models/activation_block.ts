import type * as tfl from '@tensorflow/tfjs-layers';
import { getActivation, type ActivationSpec } from '../activations/zoo.js';

/**
 * How a zoo activation enters a layer: as the layer's own `activation` option where it is a
 * stateless function (so summaries read like Keras's), or as a separate layer after a linear
 * one where it has weights (PReLU).
 */
export interface ActivationPlacement {
  spec: ActivationSpec;
  /** The `activation` option for the preceding Conv2D/Dense layer. */
  option: 'linear' | string;
  /**
   * A layer to add after it, or `undefined`. `sharedAxes`: the spatial axes after a
   * convolution, so a learned slope is per channel.
   */
  after(name: string, sharedAxes?: number[]): tfl.layers.Layer | undefined;
}

/** Where to put the activation `name` in a model. */
export function placeActivation(name: string): ActivationPlacement {
  const spec = getActivation(name);
  if (spec.identifier !== undefined) {
    const option = spec.identifier;
    return { spec, option, after: () => undefined };
  }
  return { spec, option: 'linear', after: (layerName, sharedAxes) => spec.layer({ name: layerName, sharedAxes }) };
}

/** Typed as tfjs-layers' `ActivationIdentifier`, which does not list names added at run time. */
export function asActivationOption(option: string): 'linear' {
  return option as 'linear';
}
