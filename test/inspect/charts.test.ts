import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/register.js';
import { spread } from '../../src/inspect/charts.js';
import { gradientFlowChart } from '../../src/reports/gradient_flow.js';
import { channelImage, colorOf, sharedFeatureMapScales, type FeatureMapLayer } from '../../src/inspect/feature_maps.js';
import { sharedHistograms } from '../../src/inspect/histograms.js';
import type { GradientFlowRecord, LayerFlow } from '../../src/inspect/types.js';
import { renderSvg } from '../../src/reports/render.js';

test('histograms of every activation share bins and panel heights; counts add up', () => {
  const a = [{ layer: 'k', initial: Float32Array.from([-1, 0, 0, 1]), trained: Float32Array.from([-2, 0, 1, 1]) }];
  const b = [{ layer: 'k', initial: Float32Array.from([0, 0, 0, 0]), trained: Float32Array.from([3, 0, 0, NaN]) }];
  const { histograms, yMax } = sharedHistograms([a, b], 5);
  assert.deepEqual(histograms[0]![0]!.edges, [-2, -1, 0, 1, 2, 3]);
  assert.deepEqual(histograms[1]![0]!.edges, histograms[0]![0]!.edges);
  assert.deepEqual(histograms[0]![0]!.trained, [1, 0, 1, 2, 0]);
  assert.deepEqual(histograms[1]![0]!.trained, [0, 0, 2, 0, 1], 'NaN is not counted; the maximum falls in the last bin');
  assert.equal(yMax[0], 1, 'b initial: all four in one bin, a share of 1 (never more)');
});

test('feature-map scales are shared per layer, two-sided only when some output is negative', () => {
  const layer = (values: number[]): FeatureMapLayer => ({ layer: 'c', shape: [1, 1, values.length, 1], values: Float32Array.from(values) });
  const relu = [layer([0, 1, 2, 4]), layer([0, 0.5])];
  const elu = [layer([-0.5, 1, 2, 3]), layer([0, 0.25])];
  const scales = sharedFeatureMapScales([relu, elu]);
  assert.equal(scales.length, 2);
  assert.deepEqual(scales.map((s) => s.signed), [true, false]);
  assert.equal(scales[0]!.max, 4);
  assert.deepEqual(colorOf(0, { max: 1, signed: false }), [0, 0, 4], 'zero is black on the one-sided scale');
  const img = channelImage(relu[0]!, 0, 0, scales[0]!);
  assert.equal(img.pixels.length, 4 * 3);
});

const flow = (name: string, value: number): LayerFlow => ({
  layer: name,
  class_name: 'Activation',
  grad_norm: null,
  weight_norm: null,
  activation: { activation: 'x', units: 1, mean: value, std: 1, zero_fraction: 0, dead_fraction: value, low_gradient_fraction: 0, saturated_fraction: 0 },
});
const record = (epoch: number, layers: LayerFlow[]): GradientFlowRecord => ({ epoch, loss: 1, probe_size: 10, epsilon: 1e-3, seconds: 0, layers });

test('the gradient-flow chart matches layers across activations with the activation name masked', async () => {
  const runs = [
    { activation: 'relu', records: [record(0, [flow('a_relu', 0.1), flow('b_relu', 0.2)]), record(1, [flow('a_relu', 0.3), flow('b_relu', 0.4)])] },
    { activation: 'prelu', records: [record(0, [flow('a_prelu', 0), flow('b_prelu', 0)])] },
  ];
  const spec = gradientFlowChart(runs) as { vconcat: { data: { values: { layer: string; activation: string }[] } }[] };
  const layers = new Set(spec.vconcat.flatMap((p) => p.data.values.map((v) => v.layer)));
  assert.deepEqual([...layers].sort(), ['a_*', 'b_*']);
  assert.ok(spec.vconcat.every((p) => p.data.values.some((v) => v.activation === 'prelu')));
  assert.match(await renderSvg(spec as never), /a_\*/);
});

test('spread keeps the first and last and spaces the rest evenly', () => {
  assert.deepEqual(spread([1, 2, 3], 6), [1, 2, 3]);
  assert.deepEqual(spread([0, 1, 2, 3, 4, 5, 6, 7, 8], 3), [0, 4, 8]);
});
