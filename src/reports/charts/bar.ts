/** Bar charts of a final metric per configuration, with error bars. */
import { seriesColors } from '../palette.js';
import { summarize, type SummarizeOptions } from '../stats.js';
import { assertUnique, baseSpec, finiteOrNull, type ChartOptions, type ChartSpec } from './common.js';

/** One bar. `lower`/`upper` are absolute values (not offsets); leave them out for no error bar. */
export interface BarDatum {
  name: string;
  value: number;
  lower?: number;
  upper?: number;
}

/**
 * Bars from raw samples (e.g. final test accuracy of each seed): the mean, with the 95% confidence
 * interval of the mean as error bar (cut to `options.bounds`, see `summarize`). Fewer than two
 * finite samples gives no error bar.
 */
export function meanCiBars(
  groups: readonly { name: string; samples: readonly number[] }[],
  options: SummarizeOptions = {},
): BarDatum[] {
  return groups.map(({ name, samples }) => {
    const s = summarize(samples, options);
    return Number.isFinite(s.ciLow)
      ? { name, value: s.mean, lower: s.ciLow, upper: s.ciHigh }
      : { name, value: s.mean };
  });
}

/**
 * A y domain for bars of a proportion (an accuracy): from 0, or zoomed in to a round value
 * below the lowest bar or interval when all lie above one half (so close results stay apart
 * by eye), and always up to exactly 1: an accuracy axis never runs past 100 %.
 */
export function proportionDomain(bars: readonly BarDatum[]): [number, number] {
  const lows = bars.map((b) => b.lower ?? b.value).filter(Number.isFinite);
  const lo = lows.length === 0 ? 0 : Math.min(...lows);
  return [lo > 0.5 ? Math.floor((lo - 0.05) * 10) / 10 : 0, 1];
}

/**
 * One bar per name, in the order given, coloured like that name's lines elsewhere. The y scale
 * starts at zero unless `yDomain` says otherwise; bars are then clipped to the plot area.
 *
 * @example barChartWithErrors(meanCiBars(groups), { title: 'Final test accuracy',
 *   subtitle: 'mean of 5 seeds, error bars: 95% CI', yTitle: 'accuracy' })
 */
export function barChartWithErrors(bars: readonly BarDatum[], options: ChartOptions = {}): ChartSpec {
  const names = bars.map((b) => b.name);
  assertUnique(names, 'bar');
  const rows = bars.map((b) => ({
    name: b.name,
    value: finiteOrNull(b.value),
    lower: finiteOrNull(b.lower),
    upper: finiteOrNull(b.upper),
  }));
  const clip = options.yDomain !== undefined;
  const yScale = options.yDomain ? { domain: [...options.yDomain], zero: false } : { zero: true };
  const longest = Math.max(0, ...names.map((n) => n.length));
  const yTitle = options.yTitle ?? 'value';
  return {
    ...baseSpec(options, { width: Math.max(160, 56 * bars.length), height: 300 }),
    data: { values: rows },
    encoding: {
      x: {
        field: 'name',
        type: 'nominal',
        sort: names,
        title: options.xTitle ?? null,
        axis: { labelAngle: longest > 8 ? -35 : 0 },
      },
    },
    layer: [
      {
        mark: { type: 'bar', clip },
        encoding: {
          y: { field: 'value', type: 'quantitative', title: yTitle, scale: yScale },
          color: { field: 'name', type: 'nominal', legend: null, scale: { domain: names, range: seriesColors(names) } },
        },
      },
      {
        // Rows without an interval are filtered out here instead of drawing a zero-height bar.
        transform: [{ filter: 'isValid(datum.lower) && isValid(datum.upper)' }],
        mark: { type: 'errorbar', ticks: { width: 10 }, clip },
        encoding: {
          y: { field: 'lower', type: 'quantitative', title: yTitle },
          y2: { field: 'upper' },
          color: { value: '#222222' },
        },
      },
    ],
  };
}
