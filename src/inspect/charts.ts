/**
 * Vega-Lite specs of the inspection charts. Pure functions of numbers: every scale that must
 * match across activations (histogram bins and heights, loss colours, contour levels) is
 * passed in, computed once per run by the caller.
 */
import { baseSpec, compositeBase, finiteOrNull, type ChartSpec } from '../reports/charts/common.js';
import { lineChart } from '../reports/charts/line.js';
import { seriesColors } from '../reports/palette.js';
import type { ContourLine } from './contours.js';
import type { GradientFlowRecord, Surface2d, WeightHistogram } from './types.js';

/** Top-level properties for composite (concat/facet) charts, which take no top-level size. */
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

export { spread } from '../reports/gradient_flow.js';
