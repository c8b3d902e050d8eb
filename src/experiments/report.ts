/**
 * `lisht report`: a self-contained HTML report of the experiments in a results store, and
 * PNG copies of its charts. Charts are Vega-Lite specs rendered to SVG here and embedded in
 * the page (no scripts, no network), so the file opens offline anywhere.
 *
 * Per data set and model: test accuracy and loss per epoch (mean with a band of one sd over
 * seeds), final accuracy bars with 95% CIs, confusion matrices and per-class accuracy summed
 * over seeds, and sample test images with each activation's prediction (image data sets);
 * then the activation functions and their derivatives, every trial, and the specs.
 */
import { join, resolve } from 'node:path';
import { getActivation } from '../activations/zoo.js';
import { makeDir } from '../make_dir.js';
import { loadDataset } from '../datasets/load.js';
import type { Dataset } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { bandLineChart, barChartWithErrors, heatmap, lineChart, meanCiBars, proportionDomain, type ChartSpec } from '../reports/charts/index.js';
import { imageGallerySvg, type GalleryItem } from '../reports/gallery.js';
import { gradientFlowSection, type GradientFlowRun } from '../reports/gradient_flow.js';
import { htmlReport, type Block, type Section } from '../reports/html.js';
import { renderSvg, svgToPng } from '../reports/render.js';
import { PROPORTION } from '../reports/stats.js';
import { formatCsv, formatMarkdownTable, percent, fixed, type Column, type Row } from '../reports/table.js';
import { writeFileAtomic } from '../reports/write.js';
import { describeOptimizer } from '../training/optimizers.js';
import { describeSchedule } from '../training/schedules.js';
import { VERSION } from '../version.js';
import type { EpochRecord } from './compare_types.js';
import { computeResults, csvTable, displayTable, formatResults, resultsLegend, type ResultRow } from './results.js';
import { checkReportFolder, recordReportSource } from './report_folder.js';
import { planTrials, type DatasetSpec, type ExperimentSpec, type ModelSpec } from './spec.js';
import type { ExperimentRecord, TrialRecord } from './store.js';
import type { Store } from './store_api.js';
import { shellQuote } from '../shell_quote.js';

export interface ReportOptions {
  /** Folder to write into (created). */
  out: string;
  experiment?: string;
  baseline?: string;
  target?: number;
  /** Local data per data set name for the sample images, overriding the spec's `data`. */
  data?: Record<string, string>;
  /** Sections drawn by others (e.g. `lisht inspect`'s pictures), shown after the results. */
  extraSections?: readonly Section[];
  /** Facts of the run the store does not hold (a compare run's split and example counts), added to each setup section. */
  setup?: readonly [string, string | number][];
}

export interface ReportResult {
  /** Path of report.html. */
  html: string;
  /** Every file written, relative to `out`. */
  files: string[];
  /** Charts in the report (each also written as PNG). */
  charts: number;
  /** Why something could not be shown (e.g. sample images without the data set). */
  notes: string[];
}

/** A chart rendered once, embedded as SVG and copied as PNG. */
interface Rendered {
  file: string;
  svg: string;
  caption: string;
}

function slug(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

class ChartWriter {
  readonly rendered: Rendered[] = [];
  constructor(private readonly dir: string) {}

  async chart(file: string, spec: ChartSpec, caption: string): Promise<Block> {
    return this.svg(file, await renderSvg(spec), caption);
  }

  async svg(file: string, svg: string, caption: string): Promise<Block> {
    await writeFileAtomic(join(this.dir, file), await svgToPng(svg));
    this.rendered.push({ file, svg, caption });
    return { kind: 'svg', svg, caption: `${caption} (charts/${file})` };
  }
}

/** Runs of each activation: one array per seed. */
function runsBy(trials: readonly TrialRecord[], epochs: Map<number, EpochRecord[]>, pick: 'val_accuracy' | 'val_loss' | 'loss' | 'accuracy'): number[][] {
  return trials.map((t) => (epochs.get(t.id) ?? []).map((e) => e[pick]));
}

function sumMatrices(matrices: readonly number[][][]): number[][] | undefined {
  if (matrices.length === 0) return undefined;
  return matrices[0]!.map((row, i) => row.map((_, j) => matrices.reduce((s, m) => s + (m[i]?.[j] ?? 0), 0)));
}

/** The test images of a data set as gallery images (undefined for non-image sets). */
function testImage(dataset: Dataset, index: number): GalleryItem['image'] | undefined {
  if (dataset.kind !== 'image') return undefined;
  const [h, w, c] = dataset.imageShape;
  const size = h * w * c;
  return { pixels: dataset.test.images.subarray(index * size, (index + 1) * size), width: w, height: h, channels: c as 1 | 3 };
}

/**
 * The data set a block's trials were trained on, for its test images: from `--data`, the
 * spec, or the file the trials recorded reading; never downloaded.
 */
async function loadForSamples(d: DatasetSpec, data: Record<string, string>, recorded: string | null): Promise<Dataset> {
  const path = data[d.name] ?? d.data ?? recorded ?? undefined;
  return loadDataset(d.name, { data: path, download: false, split: d.split, fromTestSet: d.fromTestSet, text: d.text });
}

interface BlockContext {
  store: Store;
  spec: ExperimentSpec;
  dataset: DatasetSpec;
  model: ModelSpec;
  trials: TrialRecord[];
  rows: ResultRow[];
  charts: ChartWriter;
  options: ReportOptions;
  notes: string[];
}

async function blockSections(ctx: BlockContext): Promise<Section[]> {
  const { store, spec, dataset, model, charts } = ctx;
  const done = ctx.trials.filter((t) => t.status === 'done');
  const name = slug(spec.name, dataset.name, model.label);
  const title = `${dataset.name} / ${model.label}`;
  const activations = spec.activations.filter((a) => done.some((t) => t.activation === a));
  if (activations.length === 0) return [{ heading: `${spec.name}: ${title}`, blocks: [{ kind: 'paragraph', text: 'No finished trials yet.' }] }];
  const ids = done.map((t) => t.id);
  const epochs = await store.epochs(ids);
  const of = (a: string) => done.filter((t) => t.activation === a).sort((x, y) => x.seed - y.seed);

  const curves: Block[] = [];
  const curve = async (pick: 'val_accuracy' | 'val_loss' | 'loss', label: string, file: string) => {
    const series = activations.map((a) => ({ name: a, runs: runsBy(of(a), epochs, pick) }));
    const points = Math.max(...series.flatMap((s) => s.runs.map((r) => r.length))) <= 12;
    const bounds = pick === 'val_accuracy' ? PROPORTION : undefined;
    curves.push(await charts.chart(`${name}-${file}.png`, bandLineChart(series, { title: `${label}: ${model.label} on ${dataset.name}`, xTitle: 'epoch', yTitle: label.toLowerCase(), points, legendTitle: 'activation', bounds }), `${label} per epoch, mean over seeds with a band of ±1 sd`));
  };
  await curve('val_accuracy', 'Test accuracy', 'test-accuracy');
  await curve('val_loss', 'Test loss', 'test-loss');
  await curve('loss', 'Training loss', 'train-loss');

  const bars = meanCiBars(activations.map((a) => ({ name: a, samples: of(a).map((t) => t.testAccuracy ?? NaN) })), { bounds: PROPORTION });
  const finalChart = await charts.chart(
    `${name}-final-accuracy.png`,
    barChartWithErrors(bars, { title: `Final test accuracy: ${model.label} on ${dataset.name}`, subtitle: `mean over seeds, error bars: 95% CI of the mean (cut at 0 and 1)`, yTitle: 'test accuracy', yDomain: proportionDomain(bars) }),
    'Final test accuracy per activation',
  );

  // Confusion matrices and per-class accuracy, summed over seeds.
  const classMetrics = await store.classMetrics(ids);
  const confusion = await store.confusion(ids);
  const classNames = classMetrics.get(ids[0]!)?.map((c) => c.className) ?? [];
  const confusionBlocks: Block[] = [];
  const many = classNames.length > 20;
  for (const a of activations) {
    const m = sumMatrices(of(a).flatMap((t) => (confusion.has(t.id) ? [confusion.get(t.id)!] : [])));
    if (m === undefined) continue;
    const labels = uniqueLabels(classNames);
    confusionBlocks.push(
      await charts.chart(
        `${name}-confusion-${slug(a)}.png`,
        heatmap({ values: m, rowLabels: labels }, { title: `Confusion matrix (${a})`, subtitle: `${of(a).length} seeds summed`, cellSize: many ? 7 : labels.length > 10 ? 24 : 36, showValues: !many }),
        `Confusion matrix of ${a}: rows true class, columns predicted, summed over seeds`,
      ),
    );
  }
  const perClass: Row[] = classNames.map((cls, i) => [
    cls,
    ...activations.map((a) => {
      const accs = of(a).map((t) => classMetrics.get(t.id)?.[i]?.accuracy ?? NaN).filter(Number.isFinite);
      return accs.length === 0 ? null : accs.reduce((s, v) => s + v, 0) / accs.length;
    }),
  ]);

  const sections: Section[] = [
    {
      heading: `${spec.name}: ${title}`,
      blocks: [
        { kind: 'table', ...displayTable(ctx.rows), caption: `Test accuracy over seeds. Target for epochs-to-target: ${ctx.rows[0] && Number.isFinite(ctx.rows[0].target_accuracy) ? `${(ctx.rows[0].target_accuracy * 100).toFixed(0)}% (${ctx.rows[0].target_source})` : 'none'}.` },
        finalChart,
        ...curves,
      ],
    },
    {
      heading: `${spec.name}: ${title}: classes`,
      blocks: [
        ...confusionBlocks,
        {
          kind: 'table',
          caption: 'Per-class test accuracy, mean over seeds',
          columns: [{ header: 'class', align: 'left' }, ...activations.map((a): Column => ({ header: a, format: percent(1) }))],
          rows: perClass,
        },
      ],
    },
  ];
  if (spec.seeds.length === 1) sections.push(...(await singleRunSections(ctx, activations, of, epochs, name)));
  const samples = await sampleBlocks(ctx, activations, of, name);
  if (samples.length > 0) sections.push({ heading: `${spec.name}: ${title}: sample predictions`, blocks: samples });
  const flow = await flowSection(ctx, activations, of, title, name);
  if (flow) sections.push(flow);
  return sections;
}

const Y_ACCURACY = { yTitle: 'accuracy', xTitle: 'epoch' } as const;

/** The original article's per-model plot: training and test accuracy per epoch. */
export function articleAccuracyChart(activation: string, epochs: readonly EpochRecord[], yDomain: readonly [number, number]): ChartSpec {
  return lineChart(
    [
      { name: 'train', y: epochs.map((e) => e.accuracy) },
      { name: 'test', y: epochs.map((e) => e.val_accuracy) },
    ],
    { title: `Model accuracy (${activation})`, ...Y_ACCURACY, yDomain, points: epochs.length <= 12 },
  );
}

/** One y range for accuracy charts drawn side by side, so they compare at a glance. */
export function sharedAccuracyDomain(runs: readonly (readonly EpochRecord[])[]): [number, number] {
  const values = runs.flatMap((r) => r.flatMap((e) => [e.accuracy, e.val_accuracy])).filter(Number.isFinite);
  if (values.length === 0) return [0, 1];
  const lo = Math.max(0, Math.floor(Math.min(...values) * 10) / 10);
  const hi = Math.min(1, Math.ceil(Math.max(...values) * 10) / 10);
  return [lo, hi > lo ? hi : Math.min(1, lo + 0.1)];
}

/**
 * One run per activation (a single seed, as `lisht compare` runs it): the article's accuracy
 * plot and the table of epochs of each.
 */
async function singleRunSections(ctx: BlockContext, activations: string[], of: (a: string) => TrialRecord[], epochs: Map<number, EpochRecord[]>, name: string): Promise<Section[]> {
  const runs = activations.map((a) => ({ activation: a, trial: of(a)[0]!, epochs: epochs.get(of(a)[0]!.id) ?? [] }));
  const domain = sharedAccuracyDomain(runs.map((r) => r.epochs));
  const sections: Section[] = [];
  for (const run of runs) {
    sections.push({
      heading: `${ctx.spec.name}: ${run.activation}, seed ${run.trial.seed}`,
      blocks: [
        await ctx.charts.chart(`${name}-accuracy-${slug(run.activation)}.png`, articleAccuracyChart(run.activation, run.epochs, domain), `Training and test accuracy per epoch (${run.activation})`),
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
          rows: run.epochs.map((e) => [e.epoch, e.loss, e.accuracy, e.val_loss, e.val_accuracy, e.seconds]),
        },
      ],
    });
  }
  return sections;
}

/** Gradient flow of one trial per activation: the lowest seed that recorded it (seeds differ only in detail). */
async function flowSection(ctx: BlockContext, activations: string[], of: (a: string) => TrialRecord[], title: string, name: string): Promise<Section | undefined> {
  const runs: GradientFlowRun[] = [];
  const seeds: string[] = [];
  for (const a of activations) {
    // Seed by seed, reading only until one has records: every trial's would be read for nothing.
    for (const trial of of(a)) {
      const records = (await ctx.store.gradientFlow([trial.id])).get(trial.id)!;
      if (records.length === 0) continue;
      runs.push({ activation: a, records });
      seeds.push(`${a} seed ${trial.seed}`);
      break;
    }
  }
  return gradientFlowSection(runs, {
    heading: `${ctx.spec.name}: ${title}: gradient flow`,
    note: `One trial per activation: ${seeds.join(', ')}.`,
    chart: (spec, caption) => ctx.charts.chart(`${name}-gradient-flow.png`, spec, caption),
  });
}

/** Class names made unique for chart axes (CIFAR-100 has none repeated, but a custom set might). */
function uniqueLabels(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n} (${k})`;
  });
}

async function sampleBlocks(ctx: BlockContext, activations: string[], of: (a: string) => TrialRecord[], name: string): Promise<Block[]> {
  const { dataset: d } = ctx;
  if (d.name !== 'cifar10' && d.name !== 'cifar100' && d.name !== 'mnist' && d.name !== 'fashion-mnist') return [];
  let dataset: Dataset;
  try {
    const recorded = ctx.trials.find((t) => t.dataPath !== null)?.dataPath ?? null;
    dataset = await loadForSamples(d, ctx.options.data ?? {}, recorded);
  } catch (err) {
    const note = `Sample images of ${d.name} are left out: the data set could not be read (${(err as Error).message.split('\n')[0]}); pass --data ${d.name}=PATH.`;
    ctx.notes.push(note);
    return [{ kind: 'paragraph', text: note }];
  }
  const blocks: Block[] = [];
  for (const a of activations) {
    const trial = of(a)[0]!;
    const samples = (await ctx.store.samples([trial.id])).get(trial.id) ?? [];
    const items: GalleryItem[] = samples.flatMap((s) => {
      const image = testImage(dataset, s.exampleIndex);
      if (image === undefined) return [];
      const predicted = dataset.classNames[s.predictedClass] ?? String(s.predictedClass);
      const truth = dataset.classNames[s.trueClass] ?? String(s.trueClass);
      return [{ image, label: `pred: ${predicted}`, sublabel: `true: ${truth}`, highlight: s.predictedClass !== s.trueClass }];
    });
    if (items.length === 0) continue;
    const small = dataset.kind === 'image' && dataset.imageShape[0] <= 28;
    const svg = imageGallerySvg(items, { title: `${a}, seed ${trial.seed}: test images and predictions`, scale: small ? 3 : 2 });
    blocks.push(await ctx.charts.svg(`${name}-samples-${slug(a)}.png`, svg, `Test images with ${a}'s predictions (seed ${trial.seed}); wrong ones framed red`));
  }
  return blocks;
}

async function activationSections(names: readonly string[], charts: ChartWriter): Promise<Section> {
  const xs = Array.from({ length: 161 }, (_, i) => -4 + i * 0.05);
  const fns = names.map((n) => getActivation(n));
  const f = lineChart(
    fns.map((s) => ({ name: s.name, x: xs, y: xs.map((x) => s.fn(x)) })),
    { title: 'Activation functions', xTitle: 'x', yTitle: 'f(x)', yDomain: [-2, 4], legendTitle: 'activation' },
  );
  const df = lineChart(
    fns.map((s) => ({ name: s.name, x: xs, y: xs.map((x) => s.derivative(x)) })),
    { title: 'Their derivatives', xTitle: 'x', yTitle: "f'(x)", yDomain: [-1.5, 2], legendTitle: 'activation' },
  );
  return {
    heading: 'Activation functions',
    blocks: [
      await charts.chart('activations.png', f, 'The activations compared'),
      await charts.chart('activation-derivatives.png', df, 'Their derivatives (what backpropagation multiplies by)'),
      { kind: 'table', columns: [{ header: 'activation', align: 'left' }, { header: 'definition', align: 'left' }], rows: fns.map((s) => [s.label, s.description]) },
    ],
  };
}

function trialsSection(experiment: ExperimentRecord, trials: readonly TrialRecord[]): Section {
  const columns: Column[] = [
    { header: 'id' },
    { header: 'dataset', align: 'left' },
    { header: 'model', align: 'left' },
    { header: 'activation', align: 'left' },
    { header: 'seed' },
    { header: 'status', align: 'left' },
    { header: 'epochs' },
    { header: 'test accuracy', format: fixed(4) },
    { header: 'best (epoch)', align: 'right' },
    { header: 's/epoch', format: fixed(2) },
    { header: 'runs' },
    { header: 'backend', align: 'left' },
    { header: 'lisht / commit', align: 'left' },
  ];
  const rows = trials.map((t): Row => [
    t.id,
    t.dataset,
    t.model,
    t.activation,
    t.seed,
    t.error ? `${t.status}: ${t.error}` : t.status,
    `${t.epochsDone}/${t.epochs}`,
    t.testAccuracy,
    t.bestTestAccuracy === null ? '' : `${t.bestTestAccuracy.toFixed(4)} (${t.bestEpoch})`,
    t.trainSeconds === null || t.epochsDone === 0 ? null : t.trainSeconds / t.epochsDone,
    t.attempts,
    t.backend ?? '',
    `${t.lishtVersion ?? ''} / ${t.gitCommit ? t.gitCommit.slice(0, 12) + (t.gitCommit.endsWith('-dirty') ? '-dirty' : '') : 'n/a'}`,
  ]);
  return { heading: `${experiment.name}: trials`, blocks: [{ kind: 'table', columns, rows, caption: 'Every trial of the spec. runs: processes that worked on it (more than one after a resume).' }] };
}

function setupSection(experiment: ExperimentRecord, extra: readonly [string, string | number][] = []): Section {
  const s = experiment.spec;
  const items: [string, string | number][] = [
    ['data sets', s.datasets.map((d) => d.name).join(', ')],
    ['models', s.models.map((m) => m.label + (m.hiddenUnits ? ` (hidden ${m.hiddenUnits.join(', ')})` : '')).join(', ')],
    ['activations', s.activations.join(', ')],
    ['baseline', s.baseline],
    ['seeds', s.seeds.join(', ')],
    ['epochs', s.epochs],
    ['batch size', s.batchSize],
    ['optimizer', describeOptimizer({ name: s.optimizer.name, lr: s.optimizer.learningRate, momentum: s.optimizer.momentum ?? null, weightDecay: s.optimizer.weightDecay ?? 0 })],
    ['learning-rate schedule', s.schedule ? describeSchedule({ ...s.schedule, lr: s.optimizer.learningRate, epochs: s.epochs }) : 'none (constant)'],
    ['augmentation', s.augment ? '4-pixel zero pad, random crop, random horizontal flip (training batches)' : 'none'],
    ['early stopping', s.earlyStopping ? `${s.earlyStopping.monitor}, patience ${s.earlyStopping.patience}, min delta ${s.earlyStopping.minDelta}` : 'none'],
    ['backend', s.backend],
    ['validation', 'the test set after every epoch, as the original article does'],
    ...extra,
  ];
  if (s.paper) items.push(['paper numbers', `${s.paper.source}${s.paper.metric ? ` (${s.paper.metric})` : ''}`]);
  const blocks: Block[] = [{ kind: 'keyValue', items }];
  if (s.description) blocks.unshift({ kind: 'paragraph', text: s.description });
  if (s.paper?.notes) blocks.push({ kind: 'paragraph', text: `About the paper's numbers: ${s.paper.notes}` });
  blocks.push({ kind: 'pre', text: JSON.stringify(s, null, 2), caption: 'The spec as stored (defaults filled in)' });
  return { heading: `${experiment.name}: setup`, blocks };
}

/** Writes `report.html`, `charts/*.png` and the results as Markdown, CSV and JSON into `options.out`. */
export async function writeReport(store: Store, options: ReportOptions): Promise<ReportResult> {
  const out = resolve(options.out);
  const chartsDir = join(out, 'charts');
  checkReportFolder(out, store.path);
  await makeDir(chartsDir);
  const rows = await computeResults(store, { experiment: options.experiment, baseline: options.baseline, target: options.target });
  const experiments = (await store.experiments()).filter((e) => options.experiment === undefined || e.name === options.experiment);
  if (experiments.length === 0) throw new UserError(`${store.path} holds no experiments yet; run \`lisht run SPEC --db ${shellQuote(store.path)}\` first`);
  const charts = new ChartWriter(chartsDir);
  const notes: string[] = [];
  const sections: Section[] = [];
  const all = displayTable(rows);
  sections.push({ heading: 'Results', blocks: [{ kind: 'table', ...all }, { kind: 'paragraph', text: resultsLegend(rows) }] });
  // The current spec's grid only, as in the results table.
  const gridTrials = async (e: ExperimentRecord) => {
    const keys = new Set(planTrials(e.spec).map((t) => t.key));
    return (await store.trials(e.id)).filter((t) => keys.has(t.key));
  };
  for (const experiment of experiments) {
    const trials = await gridTrials(experiment);
    for (const dataset of experiment.spec.datasets) {
      for (const model of experiment.spec.models) {
        const block = trials.filter((t) => t.dataset === dataset.name && t.model === model.label);
        const blockRows = rows.filter((r) => r.experiment === experiment.name && r.dataset === dataset.name && r.model === model.label);
        sections.push(...(await blockSections({ store, spec: experiment.spec, dataset, model, trials: block, rows: blockRows, charts, options, notes })));
      }
    }
  }
  sections.push(...(options.extraSections ?? []));
  sections.push(await activationSections([...new Set(experiments.flatMap((e) => e.spec.activations))], charts));
  for (const experiment of experiments) {
    sections.push(trialsSection(experiment, await gridTrials(experiment)), setupSection(experiment, options.setup));
  }
  const title = experiments.length === 1 ? `Experiment ${experiments[0]!.name}` : `Experiments ${experiments.map((e) => e.name).join(', ')}`;
  const html = htmlReport({ title, subtitle: `lisht ${VERSION} report from ${store.path}, ${new Date().toISOString()}`, sections });
  await writeFileAtomic(join(out, 'report.html'), html);
  const csv = csvTable(rows);
  await writeFileAtomic(join(out, 'results.csv'), formatCsv(csv.columns, csv.rows));
  await writeFileAtomic(join(out, 'results.md'), formatMarkdownTable(all.columns, all.rows) + '\n');
  await writeFileAtomic(join(out, 'results.json'), formatResults(rows, 'json'));
  await recordReportSource(out, store.path);
  return {
    html: join(out, 'report.html'),
    files: ['report.html', 'results.md', 'results.csv', 'results.json', ...charts.rendered.map((c) => `charts/${c.file}`)],
    charts: charts.rendered.length,
    notes,
  };
}
