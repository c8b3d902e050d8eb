/**
 * `lisht inspect`: a look inside a finished comparison. Per activation: weight histograms at
 * initialisation and after training, activation maps of a few test images, the loss along the
 * line from initial to trained weights and over a filter-normalised random plane around the
 * trained weights; plus the gradient flow recorded during training. Every picture of a run
 * shares its scales across activations. Writes `inspect/` into the run folder and adds the
 * sections to its report.html.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../backends/select.js';
import { loadDataset } from '../datasets/index.js';
import type { Dataset } from '../datasets/types.js';
import { UserError } from '../errors.js';
import type { RawImage } from '../reports/images.js';
import { renderPng, svgToPng } from '../reports/render.js';
import { writeFileAtomic } from '../reports/write.js';
import { exampleSets } from '../training/data.js';
import { loadModel } from '../training/model_files.js';
import { landscape1dChart, landscape2dChart, spread, weightHistogramChart } from './charts.js';
import { contourLevels, contourLines } from './contours.js';
import { randomDirection } from './directions.js';
import { featureMaps, featureMapSheetSvg, sharedFeatureMapScales, type FeatureMapLayer } from './feature_maps.js';
import { sharedHistograms, type KernelValues } from './histograms.js';
import { interpolate1d, linspace, LossEvaluator, snapshotWeights, surface2d } from './landscape.js';
import { gradientFlowChart } from '../reports/gradient_flow.js';
import { INSPECT_DIR, INSPECT_JSON, inspectSections } from './report.js';
import type { TrialConfig } from '../experiments/spec.js';
import { getModel } from '../models/registry.js';
import { openTarget, type InspectTarget, type TargetModel, type TargetOptions } from './targets.js';
import type { ActivationInspection, InspectData, Interpolation1d, Surface2d } from './types.js';
import { makeDir } from '../make_dir.js';

/** Options of {@link inspect}: which trials (see {@link TargetOptions}) and how to look at them. */
export interface InspectOptions extends TargetOptions {
  /** Points per side of the 2-D surface and points of the 1-D line; at least 3; default 21. */
  grid?: number;
  /** Training examples the landscape's loss is measured on (the first ones); default 1000. */
  subset?: number;
  /** Test images whose activation maps are drawn; default 4. */
  images?: number;
  /** Seed of the random directions; default: the run's seed. */
  seed?: number;
  /** The surface spans [-range, range] along both directions; default 1. */
  range?: number;
  /** Batch size of the landscape's forward passes; default 500. */
  batchSize?: number;
  /** Default `auto`: the fastest backend available. */
  backend?: string;
}

/** What {@link inspect} reports while it runs. */
export type InspectEvent =
  | { type: 'backend'; backend: string }
  | { type: 'activation'; activation: string; initialWeights: ActivationInspection['initial_weights'] }
  | { type: 'progress'; activation: string; stage: 'landscape-1d' | 'landscape-2d'; done: number; total: number }
  | { type: 'outputs'; dir: string; files: string[] };

export const DEFAULTS = { grid: 21, subset: 1000, images: 4, range: 1, batchSize: 500, backend: 'auto' } as const;

/** Inspect options with every default filled and every value checked. */
export type ResolvedInspectOptions = Required<Pick<InspectOptions, keyof typeof DEFAULTS>> & { seed: number | undefined };

function positiveInteger(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new UserError(`--${name} must be an integer of at least ${min}, got ${value}`);
  return value;
}

/** Checks the options before anything is loaded; `UserError`s name the flag. */
export function resolveInspectOptions(options: InspectOptions): ResolvedInspectOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([k, v]) => v !== undefined && (k in DEFAULTS || k === 'seed')));
  const r = { ...DEFAULTS, ...given } as ResolvedInspectOptions;
  positiveInteger('grid', r.grid, 3);
  positiveInteger('subset', r.subset);
  positiveInteger('images', r.images, 0);
  positiveInteger('batch-size', r.batchSize);
  if (!(Number.isFinite(r.range) && r.range > 0)) throw new UserError(`--range must be a positive number, got ${r.range}`);
  if (r.seed !== undefined && !(Number.isInteger(r.seed) && r.seed >= 0)) throw new UserError(`--seed must be a non-negative integer, got ${r.seed}`);
  return r;
}

function testImages(dataset: Dataset, count: number): RawImage[] {
  if (dataset.kind !== 'image') return [];
  const [h, w, c] = dataset.imageShape;
  const size = h * w * c;
  const n = Math.min(count, dataset.test.count);
  if (c !== 1 && c !== 3) return [];
  return Array.from({ length: n }, (_, i) => ({ pixels: dataset.test.images.subarray(i * size, (i + 1) * size), width: w, height: h, channels: c }));
}

/** What one activation's model gives before the shared scales are known. */
interface Measured {
  activation: string;
  initialWeights: ActivationInspection['initial_weights'];
  kernels: KernelValues[];
  maps: FeatureMapLayer[];
  line: Interpolation1d;
  surface: Surface2d;
}

/** The kernels (trainable weights of rank 2 and more) of a model, initial and trained. */
function kernelValues(model: tfl.LayersModel, initial: readonly tf.Tensor[], trained: readonly tf.Tensor[]): KernelValues[] {
  return model.weights.flatMap((w, i) =>
    w.trainable && w.shape.length >= 2
      ? [{ layer: w.originalName.split('/').slice(0, -1).join('/') || w.originalName, initial: initial[i]!.dataSync() as Float32Array, trained: trained[i]!.dataSync() as Float32Array }]
      : [],
  );
}

function checkSameShapes(activation: string, a: readonly tf.Tensor[], b: readonly tf.Tensor[]): void {
  if (a.length !== b.length || a.some((t, i) => t.shape.join() !== b[i]!.shape.join())) {
    throw new UserError(`the initial and trained models of ${activation} have different weights; was the run folder edited?`);
  }
}

/**
 * The model before training: loaded from `initial/`, or rebuilt with the trial's model, seed
 * and data shape when the run did not save it.
 */
async function initialModel(
  config: TrialConfig,
  model: TargetModel,
  data: { inputShape: number[]; numClasses: number; vocabularySize?: number },
): Promise<{ model: tfl.LayersModel; source: 'saved' | 'rebuilt-from-seed' }> {
  if (model.initialDir !== null) return { model: await loadModel(model.initialDir), source: 'saved' };
  return {
    model: getModel(config.model.name).build({
      ...data,
      activation: model.activation,
      seed: config.seed,
      ...(config.model.hiddenUnits ? { hiddenUnits: config.model.hiddenUnits } : {}),
    }),
    source: 'rebuilt-from-seed',
  };
}

async function measureOne(
  target: InspectTarget,
  index: number,
  ctx: { opts: ResolvedInspectOptions; seed: number; evaluator: LossEvaluator; images: tf.Tensor | null; build: { inputShape: number[]; numClasses: number; vocabularySize?: number }; emit(e: InspectEvent): void },
): Promise<Measured> {
  const entry = target.models[index]!;
  const { opts, evaluator } = ctx;
  const model = await loadModel(entry.dir);
  const tensors: tf.Tensor[] = [];
  try {
    const initial = await initialModel(target.config, entry, ctx.build);
    const w0 = snapshotWeights(initial.model);
    initial.model.dispose();
    const w1 = snapshotWeights(model);
    tensors.push(...w0, ...w1);
    checkSameShapes(entry.activation, w0, w1);
    ctx.emit({ type: 'activation', activation: entry.activation, initialWeights: initial.source });
    const kernels = kernelValues(model, w0, w1);
    const maps = ctx.images === null ? [] : await featureMaps(model, ctx.images);
    const line = await interpolate1d(model, evaluator, w0, w1, linspace(0, 1, opts.grid), (done, total) =>
      ctx.emit({ type: 'progress', activation: entry.activation, stage: 'landscape-1d', done, total }),
    );
    const frozen = model.weights.map((w) => !w.trainable);
    const d1 = randomDirection(w1, ctx.seed, frozen);
    const d2 = randomDirection(w1, ctx.seed + 1, frozen);
    tensors.push(...d1, ...d2);
    const coords = linspace(-opts.range, opts.range, opts.grid);
    const surface = await surface2d(model, evaluator, w1, d1, d2, coords, coords, (done, total) =>
      ctx.emit({ type: 'progress', activation: entry.activation, stage: 'landscape-2d', done, total }),
    );
    return { activation: entry.activation, initialWeights: initial.source, kernels, maps, line, surface };
  } finally {
    tf.dispose(tensors);
    model.dispose();
  }
}

function finiteRange(values: readonly (number | null)[]): [number, number] | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return finite.length === 0 ? null : [Math.min(...finite), Math.max(...finite)];
}

/** Callbacks of {@link inspect}. */
export interface InspectHooks {
  onEvent?(e: InspectEvent): void;
}

/**
 * Inspects the trials `options` names (a compare run folder, or `--db` trials with `--out`),
 * writes `inspect/` (PNGs and inspect.json) and rewrites the report with the new sections.
 * Resolves to what inspect.json holds.
 */
export async function inspect(options: InspectOptions, hooks: InspectHooks = {}): Promise<InspectData> {
  const opts = resolveInspectOptions(options);
  const target = await openTarget(options);
  try {
    return await inspectTarget(target, opts, hooks);
  } finally {
    await target.close();
  }
}

async function inspectTarget(target: InspectTarget, opts: ResolvedInspectOptions, hooks: InspectHooks): Promise<InspectData> {
  const started = performance.now();
  const emit = (e: InspectEvent) => hooks.onEvent?.(e);
  const { config } = target;
  const seed = opts.seed ?? config.seed;
  const d = config.dataset;
  const dataset = await loadDataset(d.name, { data: target.dataPath ?? undefined, split: d.split, fromTestSet: d.fromTestSet, text: d.text });
  const sets = exampleSets(dataset, { train: d.limitTrain, test: d.limitTest });
  const build = {
    inputShape: sets.train.inputShape,
    numClasses: dataset.classNames.length,
    ...(dataset.kind === 'text' ? { vocabularySize: dataset.vocabulary.length } : {}),
  };
  const backend = await selectBackend(opts.backend);
  emit({ type: 'backend', backend });

  const rawImages = testImages(dataset, opts.images);
  const evaluator = new LossEvaluator(sets.train, opts.subset, opts.batchSize);
  const images = rawImages.length > 0 ? sets.test.inputs(null, 0, rawImages.length) : null;
  const measured: Measured[] = [];
  try {
    for (let i = 0; i < target.models.length; i++) measured.push(await measureOne(target, i, { opts, seed, evaluator, images, build, emit }));
  } finally {
    evaluator.dispose();
    images?.dispose();
  }

  const outDir = join(target.dir, INSPECT_DIR);
  await makeDir(outDir);
  const files: string[] = [];
  const write = async (file: string, bytes: Uint8Array) => {
    await writeFileAtomic(join(outDir, file), bytes);
    files.push(file);
    return file;
  };

  // Shared scales: one set per run, so the pictures of every activation compare at a glance.
  const { histograms, yMax } = sharedHistograms(measured.map((m) => spread(m.kernels, 12)));
  const mapScales = sharedFeatureMapScales(measured.map((m) => m.maps));
  const lossDomain = finiteRange(measured.flatMap((m) => m.surface.loss.flat()));
  const levels = lossDomain ? contourLevels(lossDomain[0], lossDomain[1], 12) : [];

  const activations: ActivationInspection[] = [];
  for (const [a, m] of measured.entries()) {
    const own: string[] = [];
    if (histograms[a]!.length > 0) own.push(await write(`weights-${m.activation}.png`, await renderPng(weightHistogramChart(m.activation, histograms[a]!, yMax))));
    if (m.maps.length > 0) {
      const svg = featureMapSheetSvg(rawImages, m.maps, mapScales, { title: `Activation maps (${m.activation}), first ${rawImages.length} test images` });
      own.push(await write(`feature-maps-${m.activation}.png`, await svgToPng(svg, { scale: 1 })));
    }
    const contours = contourLines(m.surface.loss, m.surface.x, m.surface.y, levels);
    own.push(await write(`landscape-2d-${m.activation}.png`, await renderPng(landscape2dChart(m.activation, m.surface, contours, lossDomain))));
    activations.push({
      activation: m.activation,
      initial_weights: m.initialWeights,
      weights: histograms[a]!,
      feature_maps: m.maps.map((l) => ({ layer: l.layer, channels: l.shape[3], height: l.shape[1], width: l.shape[2] })),
      landscape_1d: m.line,
      landscape_2d: m.surface,
      files: own,
    });
  }
  const line = await write('landscape-1d.png', await renderPng(landscape1dChart(measured.map((m) => ({ activation: m.activation, alpha: m.line.alpha, loss: m.line.loss })))));
  const flowRuns = target.flow;
  const flow = flowRuns.length > 0 ? await write('gradient-flow.png', await renderPng(gradientFlowChart(flowRuns))) : null;

  const data: InspectData = {
    created: new Date().toISOString(),
    backend,
    grid: opts.grid,
    subset: evaluator.count,
    range: opts.range,
    images: rawImages.length,
    seed,
    batch_size: opts.batchSize,
    scales: { loss_2d: lossDomain, contour_levels: levels, feature_maps: mapScales.map((s, k) => ({ layer_index: k, ...s })) },
    activations,
    files: { gradient_flow: flow, landscape_1d: line },
    seconds: (performance.now() - started) / 1000,
  };
  await write(INSPECT_JSON, Buffer.from(JSON.stringify(data, null, 2) + '\n'));
  const reportFiles = await target.writeReport(await inspectSections(target.dir));
  emit({ type: 'outputs', dir: target.dir, files: [...files.map((f) => `${INSPECT_DIR}/${f}`), ...reportFiles.filter((f) => f === 'report.html')] });
  return data;
}
