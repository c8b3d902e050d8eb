/**
 * Vega-Lite specs of the inspection charts. Pure functions of numbers: every scale that must
 * match across activations (histogram bins and heights, loss colours, contour levels) is
 * passed in, computed once per run by the caller.
 */
import { baseSpec, finiteOrNull, type ChartSpec } from '../reports/charts/common.js';
import { lineChart } from '../reports/charts/line.js';
import { seriesColors } from '../reports/palette.js';
import type { ContourLine } from './contours.js';
import type { GradientFlowRecord, Surface2d, WeightHistogram } from './types.js';

/** Top-level properties for composite (concat/facet) charts, which take no top-level size. */
function compositeBase(title: string, subtitle?: string) {
  const { width: _w, height: _h, ...base } = baseSpec({ title, subtitle }, { width: 0, height: 0 });
  return base;
}

const INITIAL_COLOR = '#9e9e9e';

/**
 * One panel per layer: the kernel's weights at initialisation (grey) and after training
 * (the activation's colour), as the share of weights per bin. `yMax[i]` fixes panel i's
 * height so every activation's chart has the same axes.
 */
export function weightHistogramChart(activation: string, histograms: readonly WeightHistogram[], yMax: readonly number[]): ChartSpec {
  const [trainedColor] = seriesColors([activation]);
  const panels = histograms.map((h, i) => {
    const rows = (['initial', 'trained'] as const).flatMap((state) =>
      h[state].map((n, b) => ({ state, x0: h.edges[b]!, x1: h.edges[b + 1]!, share: n / h.count })),
    );
    return {
      title: { text: `${h.layer} (${h.count.toLocaleString('en-US')} weights)`, fontSize: 12 },
      width: 220,
      height: 140,
      data: { values: rows },
      mark: { type: 'rect' as const, opacity: 0.55 },
      encoding: {
        x: { field: 'x0', type: 'quantitative' as const, title: 'weight', scale: { domain: [h.edges[0]!, h.edges[h.edges.length - 1]!], nice: false, zero: false } },
        x2: { field: 'x1' },
        y: { field: 'share', type: 'quantitative' as const, title: 'share of weights', scale: { domain: [0, yMax[i]!], nice: false } },
        y2: { datum: 0 },
        color: {
          field: 'state',
          type: 'nominal' as const,
          title: null,
          scale: { domain: ['initial', 'trained'], range: [INITIAL_COLOR, trainedColor!] },
        },
      },
    };
  });
  return {
    ...compositeBase(`Weight distributions (${activation})`, 'kernels per layer, at initialisation and after training; same bins for every activation'),
    concat: panels,
    columns: 4,
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as ChartSpec;
}

/** Loss along the line from the initial (alpha 0) to the trained weights (alpha 1), per activation. */
export function landscape1dChart(curves: readonly { activation: string; alpha: readonly number[]; loss: readonly (number | null)[] }[], yDomain?: readonly [number, number]): ChartSpec {
  return lineChart(
    curves.map((c) => ({ name: c.activation, x: c.alpha, y: c.loss.map((v) => v ?? NaN) })),
    {
      title: 'Loss from initial to trained weights',
      subtitle: '(1 - alpha) * initial + alpha * trained, on a fixed training subset',
      xTitle: 'alpha',
      yTitle: 'training loss',
      points: Math.max(...curves.map((c) => c.alpha.length)) <= 31,
      ...(yDomain ? { yDomain } : {}),
    },
  );
}

/** The contour levels drawn, for the subtitle (a few, then an ellipsis). */
function levelText(contours: readonly ContourLine[]): string {
  const levels = [...new Set(contours.map((c) => c.level))].sort((a, b) => a - b);
  if (levels.length === 0) return '(none)';
  return levels.length <= 8 ? levels.join(', ') : `${levels.slice(0, 7).join(', ')}, ... ${levels[levels.length - 1]}`;
}

/**
 * The 2-D loss surface around the trained weights as a heatmap with contour lines; missing
 * (NaN or infinite) points are grey cells. `lossDomain` and the contours' levels are shared
 * by every activation of a run; the colour scale is logarithmic when the domain is positive.
 */
export function landscape2dChart(activation: string, surface: Surface2d, contours: readonly ContourLine[], lossDomain: readonly [number, number] | null): ChartSpec {
  const { x, y, loss } = surface;
  const half = (v: readonly number[], i: number, side: -1 | 1) => {
    const j = Math.min(v.length - 1, Math.max(0, i + side));
    return j === i ? v[i]! + (side * (v[1]! - v[0]!)) / 2 : (v[i]! + v[j]!) / 2;
  };
  // Cells overlap their neighbours by 2% of a step: adjacent rects that merely touch leave
  // anti-aliasing seams in the picture.
  const ox = 0.02 * Math.abs(x[1]! - x[0]!);
  const oy = 0.02 * Math.abs(y[1]! - y[0]!);
  const cells = y.flatMap((_, r) =>
    x.map((_, c) => ({ x0: half(x, c, -1) - ox, x1: half(x, c, 1) + ox, y0: half(y, r, -1) - oy, y1: half(y, r, 1) + oy, loss: finiteOrNull(loss[r]![c] ?? NaN) })),
  );
  const lines = contours.flatMap((line, id) => line.points.map(([px, py], order) => ({ id, order, level: line.level, x: px, y: py })));
  const xScale = { domain: [half(x, 0, -1), half(x, x.length - 1, 1)], nice: false, zero: false };
  const yScale = { domain: [half(y, 0, -1), half(y, y.length - 1, 1)], nice: false, zero: false };
  const log = lossDomain !== null && lossDomain[0] > 0;
  const lossScale = { scheme: 'viridis', ...(lossDomain ? { domain: [...lossDomain], clamp: true } : {}), ...(log ? { type: 'log' } : {}) };
  const rect = { x: { field: 'x0', type: 'quantitative' as const, scale: xScale, title: 'direction 1 (filter-normalised)' }, x2: { field: 'x1' }, y: { field: 'y0', type: 'quantitative' as const, scale: yScale, title: 'direction 2 (filter-normalised)' }, y2: { field: 'y1' } };
  const base = baseSpec({}, { width: 340, height: 340 });
  return {
    ...base,
    title: { text: `Loss surface around the trained weights (${activation})`, subtitle: [`white: contours at ${levelText(contours)}`, 'red +: trained weights; grey: NaN or infinite loss'] },
    layer: [
      {
        data: { values: cells },
        transform: [{ filter: 'isValid(datum.loss)' }],
        mark: { type: 'rect', clip: true },
        encoding: { ...rect, color: { field: 'loss', type: 'quantitative', title: 'loss', scale: lossScale } },
      },
      { data: { values: cells }, transform: [{ filter: '!isValid(datum.loss)' }], mark: { type: 'rect', color: '#bdbdbd', clip: true }, encoding: rect },
      {
        data: { values: lines },
        mark: { type: 'line', color: 'white', strokeWidth: 1, opacity: 0.85, clip: true },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, detail: { field: 'id', type: 'nominal' }, order: { field: 'order', type: 'quantitative' } },
      },
      {
        data: { values: [{ x: 0, y: 0 }] },
        mark: { type: 'point', shape: 'cross', color: '#d62728', size: 120, filled: true },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
    ],
  } as ChartSpec;
}

interface FlowMetric {
  key: string;
  title: string;
  log?: boolean;
  /** A share in [0, 1], drawn as a percentage from 0. */
  share?: boolean;
  value(l: GradientFlowRecord['layers'][number]): number | null | undefined;
}

const FLOW_METRICS: readonly FlowMetric[] = [
  { key: 'grad_norm', title: 'gradient norm', log: true, value: (l) => l.grad_norm },
  { key: 'weight_norm', title: 'weight norm', value: (l) => l.weight_norm },
  { key: 'dead', title: 'dead units', share: true, value: (l) => l.activation?.dead_fraction },
  { key: 'saturated', title: 'saturated units', share: true, value: (l) => l.activation?.saturated_fraction },
  { key: 'zero', title: 'zero outputs', share: true, value: (l) => l.activation?.zero_fraction },
  { key: 'mean', title: 'activation mean', value: (l) => l.activation?.mean },
  { key: 'std', title: 'activation std', value: (l) => l.activation?.std },
];

/** At most `max` items, evenly spread and always including the first and last. */
export function spread<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const picked = new Set(Array.from({ length: max }, (_, i) => Math.round((i * (items.length - 1)) / (max - 1))));
  return [...picked].map((i) => items[i]!);
}

/**
 * Gradient flow over epochs: one row per quantity, one column per layer, one line per
 * activation, so every activation shares every axis. Each row has its own layers (weighted
 * layers for norms, activation sites for the rest), matched across activations by name with
 * the activation's name masked (`conv1_relu` and `conv1_prelu` are both `conv1_*`); deep
 * models show at most `maxLayers` per row, evenly spread over depth.
 */
export function gradientFlowChart(runs: readonly { activation: string; records: readonly GradientFlowRecord[] }[], maxLayers = 6): ChartSpec {
  const activations = runs.map((r) => r.activation);
  const colors = seriesColors(activations);
  const maxEpoch = Math.max(0, ...runs.flatMap((r) => r.records.map((rec) => rec.epoch)));
  let truncated = false;
  const panels = FLOW_METRICS.flatMap((m) => {
    const has = (l: GradientFlowRecord['layers'][number]) => {
      const v = m.value(l);
      return v !== null && v !== undefined;
    };
    const key = (activation: string, layer: string) => layer.split(activation).join('*');
    // The layers with this quantity in depth order: the deepest run's, then any others'.
    const perRun = runs.map((r) => (r.records.at(-1)?.layers ?? []).filter(has).map((l) => key(r.activation, l.layer)));
    const all = [...new Set([...perRun].sort((a, b) => b.length - a.length).flat())];
    const labels = spread(all, maxLayers);
    if (labels.length < all.length) truncated = true;
    const values = runs.flatMap((run) =>
      run.records.flatMap((rec) =>
        rec.layers.flatMap((layer) => {
          const label = key(run.activation, layer.layer);
          const value = labels.includes(label) ? finiteOrNull(m.value(layer) ?? undefined) : null;
          return value === null || (m.log && value <= 0) ? [] : [{ activation: run.activation, layer: label, epoch: rec.epoch, value }];
        }),
      ),
    );
    if (values.length === 0) return [];
    // A share that is 0 everywhere (no dead units at all) still gets a readable axis.
    const top = Math.max(0, ...values.map((v) => v.value));
    const scale = m.log ? { type: 'log' } : m.share ? { domain: [0, top > 0 ? Math.min(1, top * 1.1) : 0.05] } : { zero: m.key !== 'mean' };
    return [
      {
        data: { values },
        facet: { column: { field: 'layer', type: 'nominal', sort: labels, title: null, header: { labelFontSize: 12 } } },
        spec: {
          width: 170,
          height: 100,
          mark: { type: 'line', strokeWidth: 2, point: maxEpoch <= 20 },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { domain: [0, Math.max(1, maxEpoch)], nice: false }, axis: { tickMinStep: 1, format: 'd' } },
            y: { field: 'value', type: 'quantitative', title: m.title, scale, ...(m.share ? { axis: { format: '.0%' } } : {}) },
            color: { field: 'activation', type: 'nominal', title: 'activation', sort: activations, scale: { domain: activations, range: colors } },
          },
        },
      },
    ];
  });
  const shown = truncated ? `; at most ${maxLayers} layers per row, evenly spread over depth` : '';
  return {
    ...compositeBase('Gradient flow', `per layer, on a fixed probe batch; epoch 0 = initial weights${shown}`),
    vconcat: panels,
    resolve: { scale: { color: 'shared' } },
  } as ChartSpec;
}
