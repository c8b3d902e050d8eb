/**
 * The files of a comparison besides summary.json and its store: the article's per-activation
 * accuracy charts, the comparison chart, and the run's report (drawn from the store by
 * `report.ts`, the one report module). A function of what was measured, so an interrupted or
 * resumed run gets the same files for what it has measured.
 */
import { join } from 'node:path';
import { lineChart, type ChartSpec } from '../reports/charts/index.js';
import { renderPng } from '../reports/render.js';
import { fixed, percent, type Column, type Row } from '../reports/table.js';
import { writeFileAtomic } from '../reports/write.js';
import type { GradientFlowRun } from '../reports/gradient_flow.js';
import type { Section } from '../reports/html.js';
import { articleAccuracyChart, sharedAccuracyDomain, writeReport } from './report.js';
import type { Store } from './store_api.js';
import type { SplitInfo } from '../datasets/types.js';
import type { CompareSummary } from './compare_types.js';

/** Columns and rows of the final table: one row per activation. */
export function comparisonTable(summary: CompareSummary): { columns: Column[]; rows: Row[] } {
  const columns: Column[] = [
    { header: 'activation', align: 'left' },
    { header: 'test accuracy', format: fixed(4) },
    { header: 'best val accuracy (epoch)', align: 'right' },
    { header: 'train accuracy', format: fixed(4) },
    { header: 'epochs', align: 'right' },
    { header: 'time', align: 'right' },
    { header: 's/epoch', format: fixed(1) },
    { header: 'status', align: 'left' },
  ];
  const rows = summary.results.map((r): Row => [
    r.activation,
    r.test_accuracy,
    r.best_val_accuracy === null ? '' : `${r.best_val_accuracy.toFixed(4)} (${r.best_epoch})`,
    r.train_accuracy,
    r.epochs.length,
    formatSeconds(r.seconds),
    r.epochs.length > 0 ? r.seconds / r.epochs.length : null,
    r.error === undefined ? r.status : `${r.status}: ${r.error}`,
  ]);
  return { columns, rows };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Test accuracy per epoch of every activation, in one chart. */
export function comparisonChart(summary: CompareSummary, yDomain: readonly [number, number]): ChartSpec {
  return lineChart(
    summary.results.filter((r) => r.epochs.length > 0).map((r) => ({ name: r.activation, y: r.epochs.map((e) => e.val_accuracy) })),
    {
      title: `Test accuracy per epoch: ${summary.model} on ${summary.dataset}`,
      yTitle: 'accuracy',
      xTitle: 'epoch',
      yDomain,
      points: Math.max(...summary.results.map((r) => r.epochs.length)) <= 12,
      legendTitle: 'activation',
    },
  );
}

/** The gradient-flow records of every activation of a run that has them. */
export function gradientFlowRuns(summary: CompareSummary): GradientFlowRun[] {
  return summary.results.flatMap((r) => (r.gradient_flow && r.gradient_flow.length > 0 ? [{ activation: r.activation, records: r.gradient_flow }] : []));
}

/**
 * Writes the article's charts (PNG) and the run's report (`report.html`, `charts/`, `results.*`,
 * drawn from its store by the one report module, as `lisht report` draws any store) into `dir`;
 * resolves to the file names written. `extraSections` (`lisht inspect`'s pictures) follow the
 * results.
 */
export async function writeCompareOutputs(dir: string, summary: CompareSummary, store: Store, extraSections: readonly Section[] = []): Promise<string[]> {
  const domain = sharedAccuracyDomain(summary.results.map((r) => r.epochs));
  const written: string[] = [];
  const charts: { file: string; spec: ChartSpec }[] = [];
  for (const result of summary.results.filter((r) => r.epochs.length > 0)) {
    charts.push({ file: `accuracy-${result.activation}.png`, spec: articleAccuracyChart(result.activation, result.epochs, domain) });
  }
  if (charts.length > 0) charts.unshift({ file: 'comparison.png', spec: comparisonChart(summary, domain) });
  for (const chart of charts) {
    await writeFileAtomic(join(dir, chart.file), await renderPng(chart.spec));
    written.push(chart.file);
  }
  const setup: [string, string | number][] = [
    ['data', summary.options.data ?? `${summary.dataset} (the cache)`],
    ['training / test examples', `${summary.train_count} / ${summary.test_count}`],
    ['train / test split', describeSplit(summary.split)],
    ['trained on', summary.backend],
    ['precision', summary.options.precision ?? 'fp32'],
    ['status', summary.status],
    ['lisht version', summary.lisht_version],
  ];
  const report = await writeReport(store, { out: dir, extraSections, setup });
  return [...written, ...report.files];
}

/** How a report names a train/test split. */
export function describeSplit(split: SplitInfo | undefined): string {
  if (split === undefined) return 'not recorded';
  if (split.method === 'official') return "the publisher's";
  const of = split.from === 'official-test' ? 'the official test set only' : 'all rows';
  return `stratified split of ${of}: ${split.testFraction * 100}% test, seed ${split.seed}`;
}

