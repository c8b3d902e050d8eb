import type * as tfl from '@tensorflow/tfjs-layers';

/** One row of a Keras-style model summary. */
export interface LayerSummaryRow {
  name: string;
  type: string;
  /** As Keras prints it, e.g. `(None, 30, 30, 32)`. */
  outputShape: string;
  params: number;
}

/** The data behind `model.summary()`, for printing, JSON and reports. */
export interface ModelSummary {
  name: string;
  layers: LayerSummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

function shapeText(shape: tfl.Shape | tfl.Shape[]): string {
  const one = (s: tfl.Shape) => `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;
  return Array.isArray(shape[0]) ? (shape as tfl.Shape[]).map(one).join(', ') : one(shape as tfl.Shape);
}

function weightCount(weights: { shape: tfl.Shape }[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce((a: number, d) => a * (d ?? 1), 1), 0);
}

/** Summarises a built model: one row per layer (input layers omitted, as Keras does). */
export function modelSummary(model: tfl.LayersModel): ModelSummary {
  const layers = model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => ({ name: l.name, type: l.getClassName(), outputShape: shapeText(l.outputShape), params: l.countParams() }));
  const trainableParams = weightCount(model.trainableWeights);
  const nonTrainableParams = weightCount(model.nonTrainableWeights);
  return { name: model.name, layers, totalParams: trainableParams + nonTrainableParams, trainableParams, nonTrainableParams };
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** Formats a summary the way Keras's `model.summary()` prints it. */
export function formatModelSummary(summary: ModelSummary): string {
  // Keras's column widths, widened where a name or shape would not fit.
  const widths = [
    Math.max(29, ...summary.layers.map((l) => l.name.length + l.type.length + 5)),
    Math.max(26, ...summary.layers.map((l) => l.outputShape.length + 2)),
    10,
  ];
  const cell = (text: string, i: number) => (' ' + text).padEnd(widths[i]);
  const rule = (c: string) => c.repeat(widths.reduce((a, b) => a + b, 0));
  const lines = [`Model: "${summary.name}"`, rule('_'), cell('Layer (type)', 0) + cell('Output Shape', 1) + cell('Param #', 2), rule('=')];
  summary.layers.forEach((l, i) => {
    lines.push(cell(`${l.name} (${l.type})`, 0) + cell(l.outputShape, 1) + cell(thousands(l.params), 2));
    if (i < summary.layers.length - 1) lines.push('');
  });
  lines.push(
    rule('='),
    `Total params: ${thousands(summary.totalParams)}`,
    `Trainable params: ${thousands(summary.trainableParams)}`,
    `Non-trainable params: ${thousands(summary.nonTrainableParams)}`,
    rule('_'),
  );
  return lines.map((l) => l.trimEnd()).join('\n');
}
