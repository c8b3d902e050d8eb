/**
 * Vega-Lite spec → SVG (headless Vega, no DOM, no canvas) → PNG (resvg with the bundled DejaVu
 * Sans). Nothing here touches the network: data must be inline in the spec.
 */
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import { View, Warn, logger, parse, type Loader } from 'vega';
import { compile } from 'vega-lite';
import type { ChartSpec } from './charts/common.js';
import { FONT_FAMILY, FONT_FILES, useDejaVuTextMetrics } from './fonts.js';

function refuse(uri: string): Promise<never> {
  return Promise.reject(
    new Error(`refusing to load ${JSON.stringify(uri)}: report charts must carry their data inline (data.values)`),
  );
}

/**
 * Vega's default loader would fetch `data.url` over HTTP or read files. Reports must be
 * reproducible from the spec alone, so every load fails loudly. `data:` URIs pass `sanitize`
 * because image marks can carry pictures that way without leaving the spec.
 */
const offlineLoader: Loader = {
  load: (uri) => refuse(uri),
  sanitize: (uri) => (uri.startsWith('data:') ? Promise.resolve({ href: uri }) : refuse(uri)),
  http: (uri) => refuse(uri),
  file: (filename) => refuse(filename),
};

function describe(args: readonly unknown[]): string {
  return args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
}

/**
 * Renders a Vega-Lite spec to a standalone SVG document string. Vega only logs dataflow errors
 * and failed loads, then draws the chart without them; here they reject instead,
 * so a broken chart never lands silently in a report. Warnings go to the console.
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  useDejaVuTextMetrics();
  const { spec: vegaSpec } = compile(spec);
  const errors: string[] = [];
  const log = logger(Warn, undefined, (method, level, args) => {
    // Vega reports a failed data load as a mere warning and draws the chart without the data.
    if (method === 'error' || args[0] === 'Loading failed') errors.push(describe(args));
    else console[method](`vega ${level}:`, ...args);
  });
  const view = new View(parse(vegaSpec), { renderer: 'none', loader: offlineLoader, logger: log });
  try {
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(`chart failed to render: ${errors.join('; ')}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/** Options for rasterising. */
export interface PngOptions {
  /** Pixels per SVG unit; default 2, sharp on high-DPI screens and in print. */
  scale?: number;
  /** CSS colour behind the chart; default none (charts from this module paint their own white). */
  background?: string;
}

/**
 * Only DejaVu Sans is loaded (no system fonts, so output is the same on every machine). Every
 * family in the SVG (Vega's `sans-serif`, a spec's `Helvetica`) is pointed at it explicitly
 * rather than trusting resvg's fallback rules, so text is drawn and measured in the same font.
 */
function mapFonts(svg: string): string {
  return svg
    .replace(/font-family="[^"]*"/g, `font-family="${FONT_FAMILY}"`)
    .replace(/font-family='[^']*'/g, `font-family="${FONT_FAMILY}"`)
    .replace(/font-family\s*:\s*[^;"'}]+/g, `font-family: ${FONT_FAMILY}`);
}

function resvgOptions(options: PngOptions): ResvgRenderOptions {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && Number.isFinite(scale))) throw new RangeError(`scale must be a positive number, got ${scale}`);
  return {
    font: {
      fontFiles: [...FONT_FILES],
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
      serifFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
    },
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    ...(options.background !== undefined ? { background: options.background } : {}),
    logLevel: 'error',
  };
}

/**
 * Rasterises an SVG string (from `renderSvg`, or any SVG with inline resources) to PNG bytes.
 * Runs off the main thread; external images are never fetched, they are left out.
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Buffer> {
  const image = await renderAsync(mapFonts(svg), resvgOptions(options));
  return image.asPng();
}

/** Renders a Vega-Lite spec straight to PNG bytes; see `svgToPng` for the options. */
export async function renderPng(spec: ChartSpec, options: PngOptions = {}): Promise<Buffer> {
  return svgToPng(await renderSvg(spec), options);
}

