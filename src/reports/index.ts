/**
 * The reporting layer: charts (Vega-Lite specs from plain data), rendering to SVG/PNG, a
 * self-contained HTML report, text/Markdown/CSV tables, PNG encoding and atomic writes.
 * Works on numbers and strings only; no TensorFlow.js here.
 */
export {
  CHART_FONT,
  bandLineChart,
  barChartWithErrors,
  heatmap,
  lineChart,
  meanCiBars,
  proportionDomain,
  type BandChartOptions,
  type BandSeries,
  type BarDatum,
  type ChartOptions,
  type ChartSpec,
  type HeatmapData,
  type HeatmapOptions,
  type LineChartOptions,
  type LineSeries,
} from './charts/index.js';
export { seriesColor, seriesColors } from './palette.js';
export { summarize, tQuantile975, PROPORTION, type Summary, type SummarizeOptions } from './stats.js';
export { renderPng, renderSvg, svgToPng, type PngOptions } from './render.js';
export { escapeHtml } from './escape.js';
export { embedSvg, htmlReport, type Block, type Report, type Section } from './html.js';
export {
  fixed,
  formatCsv,
  formatMarkdownTable,
  formatNumber,
  formatTable,
  percent,
  type Cell,
  type Column,
  type Row,
} from './table.js';
export {
  dataUrl,
  encodePng,
  imageGrid,
  pngDataUrl,
  toRgba,
  upscale,
  type Channels,
  type GridOptions,
  type RawImage,
} from './images.js';
export { imageGallerySvg, type GalleryItem, type GalleryOptions } from './gallery.js';
export { writeFileAtomic, writeFileAtomicSync } from './write.js';
