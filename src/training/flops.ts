import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Floating-point operations of one training step at `batchSize`, counting the multiply-adds
 * of convolutions and dense layers (2 FLOPs each), which dominate: the forward pass, the
 * gradient with respect to the weights, and the gradient with respect to the input for every
 * layer but the first (nothing needs the gradient of the data).
 */
export function trainingStepFlops(model: tfl.LayersModel, batchSize: number): number {
  let total = 0;
  let first = true;
  for (const layer of model.layers) {
    const type = layer.getClassName();
    let forward = 0;
    if (type === 'Conv2D' || type === 'Dense') {
      const kernel = layer.getWeights()[0].shape; // conv [kh, kw, cin, cout], dense [in, out]
      const out = layer.outputShape as (number | null)[];
      const positions = out.slice(1, -1).reduce((a: number, d) => a * (d ?? 1), 1);
      forward = 2 * batchSize * positions * kernel.reduce((a, d) => a * d, 1);
    }
    if (forward > 0) {
      total += forward * (first ? 2 : 3);
      first = false;
    }
  }
  return total;
}
