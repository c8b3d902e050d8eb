/** Line charts: training curves, activation functions, and curves with a band over seeds. */
import { seriesColors } from '../palette.js';
import { summarize } from '../stats.js';
import { assertUnique, baseSpec, finiteOrNull, oneBased, type ChartOptions, type ChartSpec } from './common.js';

/** One line. Non-finite y values (a diverged run) leave a gap instead of breaking the chart. */
export interface LineSeries {
  /** Legend label; also picks the colour, so the same name is the same colour in every chart. */
  name: string;
  /** Defaults to 1, 2, ..., y.length (epochs). */
  x?: readonly number[];
  y: readonly number[];
  /** Use another name's colour, e.g. a derivative drawn dashed in its function's colour. */
  colorAs?: string;
  dashed?: boolean;
}

export interface LineChartOptions extends ChartOptions {
  xDomain?: readonly [number, number];
  /** Draw a point at each value; helps when there are only a few epochs. */
  points?: boolean;
  /** Legend title; none by default, the series names speak for themselves. */
  legendTitle?: string;
}

interface Row {
  series: string;
  x: number;
  y: number | null;
  lower?: number | null;
  upper?: number | null;
}

const DASH: readonly number[] = [6, 4];
const SOLID: readonly number[] = [1, 0];

function xValues(name: string, x: readonly number[] | undefined, n: number): readonly number[] {
  if (x === undefined) return oneBased(n);
  if (x.length !== n) throw new RangeError(`series ${JSON.stringify(name)}: ${x.length} x values for ${n} y values`);
  return x;
}

/** Encodings shared by the plain and the band chart. */
function encodings(
  series: readonly { name: string; colorAs?: string; dashed?: boolean }[],
  rows: readonly Row[],
  options: LineChartOptions,
) {
  const names = series.map((s) => s.name);
  assertUnique(names, 'series');
  const palette = seriesColors(series.map((s) => s.colorAs ?? s.name));
  // Epochs are integers; without this a 3-epoch chart gets ticks at 1.5 and 2.5.
  const integerX = rows.every((r) => Number.isInteger(r.x));
  const anyDashed = series.some((s) => s.dashed);
  const legendTitle = options.legendTitle ?? null;
  return {
    x: {
      field: 'x',
      type: 'quantitative' as const,
      title: options.xTitle ?? 'x',
      scale: { zero: false, nice: false, ...(options.xDomain ? { domain: [...options.xDomain] } : {}) },
      axis: integerX ? { tickMinStep: 1, format: 'd' } : {},
    },
    yScale: { zero: false, ...(options.yDomain ? { domain: [...options.yDomain] } : {}) },
    color: {
      field: 'series',
      type: 'nominal' as const,
      title: legendTitle,
      sort: names,
      scale: { domain: names, range: palette },
    },
    // Same field and title as colour, so Vega-Lite merges the two into one legend.
    dash: anyDashed
      ? {
          strokeDash: {
            field: 'series',
            type: 'nominal' as const,
            title: legendTitle,
            sort: names,
            scale: { domain: names, range: series.map((s) => (s.dashed ? [...DASH] : [...SOLID])) },
          },
        }
      : {},
    clip: options.xDomain !== undefined || options.yDomain !== undefined,
  };
}

/**
 * One line per series, e.g. training vs test accuracy per epoch, or several activation
 * functions over x in [-4, 4].
 *
 * @example lineChart([{ name: 'train', y: acc }, { name: 'test', y: valAcc }],
 *   { title: 'Model accuracy (lisht)', xTitle: 'epoch', yTitle: 'accuracy', yDomain: [0, 1] })
 */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions = {}): ChartSpec {
  const rows: Row[] = [];
  for (const s of series) {
    const x = xValues(s.name, s.x, s.y.length);
    s.y.forEach((y, i) => rows.push({ series: s.name, x: x[i]!, y: finiteOrNull(y) }));
  }
  const enc = encodings(series, rows, options);
  return {
    ...baseSpec(options, { width: 480, height: 300 }),
    data: { values: rows },
    mark: { type: 'line' as const, clip: enc.clip, strokeWidth: 2, ...(options.points ? { point: true } : {}) },
    encoding: {
      x: enc.x,
      y: { field: 'y', type: 'quantitative', title: options.yTitle ?? 'y', scale: enc.yScale },
      color: enc.color,
      ...enc.dash,
    },
  };
}

/**
 * Several runs (seeds) of one configuration. Runs may differ in length (early stopping); past the
 * end of a run, mean and band are over the runs still going, so the line can step there.
 */
export interface BandSeries {
  name: string;
  /** Defaults to 1, 2, ..., length of the longest run. */
  x?: readonly number[];
  runs: readonly (readonly number[])[];
  colorAs?: string;
  dashed?: boolean;
}

export interface BandChartOptions extends LineChartOptions {
  /** `std`: mean ± one sample standard deviation (default); `minmax`: the full range of the runs. */
  band?: 'std' | 'minmax';
  /**
   * The values' possible range, e.g. `[0, 1]` for an accuracy: a ±1 sd band is cut there, so
   * neither the band nor the axis drawn around it runs past what the quantity can be.
   */
  bounds?: readonly [number, number];
}

/**
 * The mean over runs as a line, with a shaded band for their spread. Unless `subtitle` is given,
 * the subtitle says what the band is and over how many runs, so a reader never has to guess.
 */
export function bandLineChart(series: readonly BandSeries[], options: BandChartOptions = {}): ChartSpec {
  const band = options.band ?? 'std';
  const rows: Row[] = [];
  const counts: number[] = [];
  for (const s of series) {
    if (s.runs.length === 0) throw new RangeError(`series ${JSON.stringify(s.name)} has no runs`);
    counts.push(s.runs.length);
    const length = Math.max(...s.runs.map((r) => r.length));
    const x = xValues(s.name, s.x, length);
    for (let i = 0; i < length; i++) {
      const stats = summarize(s.runs.flatMap((r) => (i < r.length ? [r[i]!] : [])));
      const [lo, hi] = options.bounds ?? [-Infinity, Infinity];
      const [lower, upper] =
        band === 'std' ? [Math.max(lo, stats.mean - stats.std), Math.min(hi, stats.mean + stats.std)] : [stats.min, stats.max];
      rows.push({ series: s.name, x: x[i]!, y: finiteOrNull(stats.mean), lower: finiteOrNull(lower), upper: finiteOrNull(upper) });
    }
  }
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  const n = lo === hi ? `${lo}` : `${lo}–${hi}`;
  // One run per series has no spread: no band is drawn (an empty one only makes Vega warn).
  const banded = rows.some((r) => r.lower !== null && r.upper !== null && r.lower !== r.upper);
  const subtitle =
    options.subtitle ?? (!banded ? `one run per line (no spread to show)` : band === 'std' ? `line: mean, band: ±1 sd over ${n} runs` : `line: mean, band: min–max over ${n} runs`);
  const enc = encodings(series, rows, options);
  const yTitle = options.yTitle ?? 'y';
  return {
    ...baseSpec({ ...options, subtitle }, { width: 480, height: 300 }),
    data: { values: rows },
    encoding: { x: enc.x },
    layer: [
      ...(banded
        ? [
            {
              mark: { type: 'area' as const, clip: enc.clip, opacity: 0.18 },
              encoding: {
                y: { field: 'lower', type: 'quantitative' as const, title: yTitle, scale: enc.yScale },
                y2: { field: 'upper' },
                // The legend comes from the line layer, so it shows lines rather than pale blobs.
                color: { ...enc.color, legend: null },
              },
            },
          ]
        : []),
      {
        mark: { type: 'line', clip: enc.clip, strokeWidth: 2, ...(options.points ? { point: true } : {}) },
        encoding: {
          y: { field: 'y', type: 'quantitative', title: yTitle, ...(banded ? {} : { scale: enc.yScale }) },
          color: enc.color,
          ...enc.dash,
        },
      },
    ],
    // Without this, the area layer's `legend: null` would hide the line layer's legend too.
    resolve: { legend: { color: 'independent' } },
  };
}
