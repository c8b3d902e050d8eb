/** What every chart shares: the spec type, common options, fonts and the house style. */
import type { TopLevelSpec } from 'vega-lite';

/** A Vega-Lite spec as the chart builders return it; render it with `renderSvg`/`renderPng`. */
export type ChartSpec = TopLevelSpec;

/** Options every chart takes. */
export interface ChartOptions {
  title?: string;
  /** Second title line, e.g. what a band or an error bar means. */
  subtitle?: string;
  xTitle?: string;
  yTitle?: string;
  /** Plot area size in pixels (axes, title and legend come on top). */
  width?: number;
  height?: number;
  /** Fix the y scale, e.g. `[0, 1]`, so charts of different activations can be compared by eye. */
  yDomain?: readonly [number, number];
}

/**
 * DejaVu Sans first because it is the font `renderPng` draws with, so the SVG in a report and
 * the PNG next to it look alike; browsers without it fall back to their sans-serif.
 */
export const CHART_FONT = 'DejaVu Sans, sans-serif';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Top-level properties shared by all charts: schema, title, size, background and style. */
export function baseSpec(options: ChartOptions, defaults: { width: number; height: number }) {
  return {
    $schema: SCHEMA,
    ...(options.title || options.subtitle
      ? { title: { text: options.title ?? '', ...(options.subtitle ? { subtitle: options.subtitle } : {}) } }
      : {}),
    width: options.width ?? defaults.width,
    height: options.height ?? defaults.height,
    background: 'white',
    config: {
      font: CHART_FONT,
      title: { fontSize: 15, fontWeight: 'normal', subtitleFontSize: 12, subtitleColor: '#555', anchor: 'middle' },
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
      legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
      view: { stroke: '#cccccc' },
    },
  } as const;
}

/** JSON has no NaN or Infinity; `null` is what Vega-Lite treats as a gap, and it survives JSON. */
export function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** Throws when a name repeats: colour domains and nominal axes would silently merge them. */
export function assertUnique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new RangeError(`duplicate ${what} name ${JSON.stringify(name)}`);
    seen.add(name);
  }
}

/** `1, 2, ..., n`: the default x for per-epoch data, matching Keras's 1-based epoch log. */
export function oneBased(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** The title block of a composite (faceted, concatenated) chart: the base spec without a size. */
export function compositeBase(title: string, subtitle?: string) {
  const { width: _w, height: _h, ...base } = baseSpec({ title, subtitle }, { width: 0, height: 0 });
  return base;
}
