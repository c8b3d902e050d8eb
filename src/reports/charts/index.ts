export { CHART_FONT, type ChartOptions, type ChartSpec } from './common.js';
export { lineChart, bandLineChart, type LineSeries, type LineChartOptions, type BandSeries, type BandChartOptions } from './line.js';
export { barChartWithErrors, meanCiBars, proportionDomain, type BarDatum } from './bar.js';
export { heatmap, type HeatmapData, type HeatmapOptions } from './heatmap.js';
