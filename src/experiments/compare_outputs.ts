/**
 * The files of a comparison besides summary.json: per-activation accuracy charts, the
 * comparison chart, and the self-contained HTML report. A pure function of the summary, so
 * an interrupted or resumed run gets the same files for what it has measured.
 */
import { join } from 'node:path';
import { lineChart, type ChartSpec } from '../reports/charts/index.js';
import { htmlReport, type Section } from '../reports/html.js';
import { renderPng, renderSvg } from '../reports/render.js';
import { fixed, percent, type Column, type Row } from '../reports/table.js';
import { writeFileAtomic } from '../reports/write.js';
import { gradientFlowSection, type GradientFlowRun } from '../reports/gradient_flow.js';
import type { SplitInfo } from '../datasets/types.js';
import { describeOptimizer } from '../training/optimizers.js';
import { describeSchedule } from '../training/schedules.js';
import { LEGACY_OPTIONS, type CompareResult, type CompareSummary, type ResolvedCompareOptions } from './compare_types.js';

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

const Y_ACCURACY = { yTitle: 'accuracy', xTitle: 'epoch' } as const;

/** The article's per-model plot: training and test accuracy per epoch. */
export function accuracyChart(result: CompareResult, yDomain: readonly [number, number]): ChartSpec {
  return lineChart(
    [
      { name: 'train', y: result.epochs.map((e) => e.accuracy) },
      { name: 'test', y: result.epochs.map((e) => e.val_accuracy) },
    ],
    { title: `Model accuracy (${result.activation})`, ...Y_ACCURACY, yDomain, points: result.epochs.length <= 12 },
  );
}

/** Test accuracy per epoch of every activation, in one chart. */
export function comparisonChart(summary: CompareSummary, yDomain: readonly [number, number]): ChartSpec {
  return lineChart(
    summary.results.filter((r) => r.epochs.length > 0).map((r) => ({ name: r.activation, y: r.epochs.map((e) => e.val_accuracy) })),
    {
      title: `Test accuracy per epoch: ${summary.model} on ${summary.dataset}`,
      ...Y_ACCURACY,
      yDomain,
      points: Math.max(...summary.results.map((r) => r.epochs.length)) <= 12,
      legendTitle: 'activation',
    },
  );
}

/** One y range for every accuracy chart of the run, so they compare at a glance. */
function sharedAccuracyDomain(summary: CompareSummary): [number, number] {
  const values = summary.results.flatMap((r) => r.epochs.flatMap((e) => [e.accuracy, e.val_accuracy])).filter(Number.isFinite);
  if (values.length === 0) return [0, 1];
  const lo = Math.max(0, Math.floor(Math.min(...values) * 10) / 10);
  const hi = Math.min(1, Math.ceil(Math.max(...values) * 10) / 10);
  return [lo, hi > lo ? hi : Math.min(1, lo + 0.1)];
}

/** The gradient-flow records of every activation of a run that has them. */
export function gradientFlowRuns(summary: CompareSummary): GradientFlowRun[] {
  return summary.results.flatMap((r) => (r.gradient_flow && r.gradient_flow.length > 0 ? [{ activation: r.activation, records: r.gradient_flow }] : []));
}

/**
 * Writes the charts (PNG) and `report.html` into `dir`; resolves to the file names written.
 * `extraSections` (e.g. `lisht inspect`'s pictures) follow the report's own.
 */
export async function writeCompareOutputs(dir: string, summary: CompareSummary, extraSections: readonly Section[] = []): Promise<string[]> {
  const domain = sharedAccuracyDomain(summary);
  const written: string[] = [];
  const charts: { file: string; spec: ChartSpec; svg: string }[] = [];
  for (const result of summary.results.filter((r) => r.epochs.length > 0)) {
    const spec = accuracyChart(result, domain);
    charts.push({ file: `accuracy-${result.activation}.png`, spec, svg: await renderSvg(spec) });
  }
  if (charts.length > 0) {
    const spec = comparisonChart(summary, domain);
    charts.unshift({ file: 'comparison.png', spec, svg: await renderSvg(spec) });
  }
  for (const chart of charts) {
    await writeFileAtomic(join(dir, chart.file), await renderPng(chart.spec));
    written.push(chart.file);
  }
  // Gradient flow (summary.json), when the run has it, then what the caller adds.
  const flow = await gradientFlowSection(gradientFlowRuns(summary));
  await writeFileAtomic(join(dir, 'report.html'), compareReportHtml(summary, charts, [...(flow ? [flow] : []), ...extraSections]));
  written.push('report.html');
  return written;
}

/** How a report names a train/test split. */
export function describeSplit(split: SplitInfo | undefined): string {
  if (split === undefined) return 'not recorded';
  if (split.method === 'official') return "the publisher's";
  const of = split.from === 'official-test' ? 'the official test set only' : 'all rows';
  return `stratified split of ${of}: ${split.testFraction * 100}% test, seed ${split.seed}`;
}

/** The training settings of a run, one line each, for reports. */
export function describeTraining(options: ResolvedCompareOptions): [string, string][] {
  const o = { ...LEGACY_OPTIONS, ...options };
  const stop = o.earlyStopping;
  return [
    ['optimizer', describeOptimizer({ name: o.optimizer, lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay })],
    ['learning-rate schedule', describeSchedule({ name: o.schedule, lr: o.lr, epochs: o.epochs, milestones: o.milestones ?? undefined })],
    ['augmentation', o.augment ? '4-pixel zero pad, random crop, random horizontal flip (training batches)' : 'none'],
    [
      'early stopping',
      stop === null ? 'none' : `${stop.monitor}, patience ${stop.patience} (validation data is the test set, so a stopped run's test accuracy is optimistic)`,
    ],
  ];
}

function compareReportHtml(summary: CompareSummary, charts: { file: string; svg: string }[], inspection: Section[] = []): string {
  const { columns, rows } = comparisonTable(summary);
  const o = summary.options;
  const sections: Section[] = [
    {
      heading: 'Results',
      blocks: [
        { kind: 'table', columns, rows, caption: 'Test accuracy is the accuracy of predict + argmax on the test set after the last epoch.' },
        ...charts.filter((c) => c.file === 'comparison.png').map((c) => ({ kind: 'svg' as const, svg: c.svg, caption: c.file })),
      ],
    },
    {
      heading: 'Setup',
      blocks: [
        {
          kind: 'keyValue',
          items: [
            ['data set', `${summary.dataset}${o.data ? ` (${o.data})` : ''}`],
            ['training / test examples', `${summary.train_count} / ${summary.test_count}`],
            ['train / test split', describeSplit(summary.split)],
            ['model', summary.model],
            ['activations', o.activations.join(', ')],
            ['epochs', o.epochs],
            ['batch size', o.batchSize],
            ...describeTraining(o),
            ['seed', o.seed],
            ['backend', summary.backend],
            ['status', summary.status],
            ['lisht version', summary.lisht_version],
            ['written', summary.updated],
          ],
        },
      ],
    },
    ...inspection,
    ...summary.results.map(
      (r): Section => ({
        heading: `${r.activation}`,
        blocks: [
          ...charts.filter((c) => c.file === `accuracy-${r.activation}.png`).map((c) => ({ kind: 'svg' as const, svg: c.svg, caption: c.file })),
          {
            kind: 'table',
            caption: 'Per epoch',
            columns: [
              { header: 'epoch' },
              { header: 'loss', format: fixed(4) },
              { header: 'accuracy', format: percent(2) },
              { header: 'val_loss', format: fixed(4) },
              { header: 'val_accuracy', format: percent(2) },
              { header: 'seconds', format: fixed(1) },
            ],
            rows: r.epochs.map((e) => [e.epoch, e.loss, e.accuracy, e.val_loss, e.val_accuracy, e.seconds]),
          },
          { kind: 'pre', text: r.model_summary, caption: 'Model summary' },
        ],
      }),
    ),
  ];
  return htmlReport({ title: `${summary.model} on ${summary.dataset}: ${summary.options.activations.join(' vs ')}`, subtitle: `lisht compare, ${summary.created}`, sections });
}
