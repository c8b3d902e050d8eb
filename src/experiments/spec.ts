/**
 * Experiment specs: a YAML or JSON file naming data sets, models, activations, seeds and the
 * training settings. The trials are the product datasets x models x seeds x activations.
 * Errors name the file, line, column and field, e.g.
 * `iris.yaml:7:5: activations[1]: unknown activation 'relu7'; known: lisht, relu, ...`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { getActivation } from '../activations/zoo.js';
import { parseDatasetName } from '../datasets/registry.js';
import type { DatasetName } from '../datasets/types.js';
import { PRECISIONS } from '../backends/native/precision.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { DATASET_INPUTS } from '../models/inputs.js';
import { checkHiddenUnits } from '../models/mlp.js';
import { checkModelFits, getModel } from '../models/registry.js';
import { MONITORS, type Monitor } from '../training/early_stopping.js';
import { OPTIMIZER_NAMES, resolveOptimizerConfig, type OptimizerName } from '../training/optimizers.js';
import { checkSchedule, SCHEDULE_NAMES, type ScheduleName } from '../training/schedules.js';

// The plan of a parsed spec lives apart, so that reading a store needs no TensorFlow.js.
export { canonicalJson, hashJson, planTrials, specHash } from './spec_plan.js';

const positiveInt = z.number().int().positive();

/**
 * The most trials one spec's grid may hold (data sets x models x seeds x activations). Far
 * more than a study trains (each trial is at least one epoch), small enough that planning,
 * registering and listing a grid stay quick: a mistyped `seeds: 100000000` is refused at once
 * instead of filling memory and the store.
 */
export const MAX_GRID_TRIALS = 10_000;
const seed = z.number().int().nonnegative().max(2 ** 31 - 1);
const fraction = z.number().gt(0).lte(1);

const DatasetSchema = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1),
      /** A local archive, file or folder (relative to the spec file); default: the cache. */
      data: z.string().min(1).optional(),
      split: z.object({ testFraction: z.number().gt(0).lt(1).optional(), seed: seed.optional() }).strict().optional(),
      /** MNIST/Fashion-MNIST: split the official test set only (for folders holding t10k). */
      fromTestSet: z.boolean().optional(),
      limitTrain: positiveInt.optional(),
      limitTest: positiveInt.optional(),
      text: z.object({ vocabularySize: positiveInt.optional(), sequenceLength: positiveInt.optional() }).strict().optional(),
      /** Accuracy whose first reaching is counted in epochs (the convergence measure). */
      targetAccuracy: fraction.optional(),
    })
    .strict(),
]);

const ModelSchema = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1),
      /** Name in tables; default the model's name. Needed when one model appears twice. */
      label: z.string().min(1).optional(),
      /** `mlp` only: widths of the hidden layers. */
      hiddenUnits: z.array(positiveInt).min(1).optional(),
    })
    .strict(),
]);

const OptimizerSchema = z
  .object({
    name: z.enum(OPTIMIZER_NAMES),
    /** Default 0.001 for Adam (Keras), 0.1 for SGD (He et al.). */
    learningRate: z.number().positive().optional(),
    /** SGD only; default 0.9. */
    momentum: z.number().min(0).lt(1).optional(),
    /** Coupled L2 weight decay; default 0 for Adam, 1e-4 for SGD. */
    weightDecay: z.number().min(0).optional(),
  })
  .strict();

const ScheduleSchema = z
  .object({
    name: z.enum(SCHEDULE_NAMES),
    /** Step only: 1-based epochs from which the rate is multiplied by `gamma` once more. */
    milestones: z.array(positiveInt).min(1).optional(),
    gamma: z.number().gt(0).lt(1).optional(),
  })
  .strict();

const EarlyStoppingSchema = z
  .object({
    monitor: z.enum(MONITORS).optional(),
    patience: z.number().int().min(0).optional(),
    minDelta: z.number().min(0).optional(),
  })
  .strict();

const PaperSchema = z
  .object({
    /** Where the numbers come from (paper, table, version). */
    source: z.string().min(1),
    /** What the numbers are, e.g. "validation accuracy". */
    metric: z.string().min(1).optional(),
    notes: z.string().optional(),
    results: z
      .array(
        z
          .object({
            dataset: z.string().min(1),
            model: z.string().min(1).optional(),
            /** Activations the grid does not run (e.g. the paper's Sigmoid) are allowed. */
            activation: z.string().min(1),
            /** As a fraction (the paper's 97.33% is 0.9733). */
            accuracy: z.number().min(0).max(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** The schema of a spec file, as written (before names are checked and defaults applied). */
export const ExperimentSpecSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only, starting with a letter or digit'),
    description: z.string().optional(),
    datasets: z.array(DatasetSchema).min(1),
    models: z.array(ModelSchema).min(1),
    activations: z.array(z.string().min(1)).min(1),
    /** A list of seeds, or a count n meaning seeds 1..n. */
    seeds: z.union([z.array(seed).min(1), positiveInt]),
    epochs: positiveInt,
    batchSize: positiveInt,
    optimizer: OptimizerSchema.optional(),
    /** Learning-rate schedule; default none. */
    schedule: ScheduleSchema.optional(),
    /** Pad-crop-flip augmentation of training images (image data sets only). */
    augment: z.boolean().optional(),
    earlyStopping: EarlyStoppingSchema.optional(),
    /** Backend name as `selectBackend` takes it; default `auto`. */
    backend: z.string().min(1).optional(),
    /** fp32 (default) or bf16 (mixed_bfloat16: native backend only); part of each trial's configuration. */
    precision: z.enum(PRECISIONS).optional(),
    /** Activation the others are tested against; default relu when present, else the first. */
    baseline: z.string().min(1).optional(),
    /** Test examples whose predictions each trial keeps for the report (default 16). */
    samples: z.number().int().min(0).max(256).optional(),
    paper: PaperSchema.optional(),
  })
  .strict();

/** One data set of a spec, resolved. `data` is absolute. */
export interface DatasetSpec {
  name: DatasetName;
  data?: string;
  split?: { testFraction?: number; seed?: number };
  fromTestSet?: boolean;
  limitTrain?: number;
  limitTest?: number;
  text?: { vocabularySize?: number; sequenceLength?: number };
  targetAccuracy?: number;
}

export interface ModelSpec {
  name: string;
  label: string;
  hiddenUnits?: number[];
}

/** An optimizer with its defaults filled in; fields at their "off" value are left out. */
export interface OptimizerSpec {
  name: OptimizerName;
  learningRate: number;
  /** SGD only. */
  momentum?: number;
  /** Left out when 0. */
  weightDecay?: number;
}

export interface ScheduleSpec {
  name: Exclude<ScheduleName, 'none'>;
  milestones?: number[];
  gamma?: number;
}

export interface EarlyStoppingSpec {
  monitor: Monitor;
  patience: number;
  minDelta: number;
}

export type PaperResults = z.output<typeof PaperSchema>;

/** A validated spec with canonical names and every default filled in. */
export interface ExperimentSpec {
  name: string;
  description?: string;
  datasets: DatasetSpec[];
  models: ModelSpec[];
  /** Canonical zoo names (aliases resolved). */
  activations: string[];
  seeds: number[];
  epochs: number;
  batchSize: number;
  optimizer: OptimizerSpec;
  /** Absent: a constant learning rate. */
  schedule?: ScheduleSpec;
  /** Absent: no augmentation. */
  augment?: true;
  earlyStopping?: EarlyStoppingSpec;
  /** Absent: fp32. */
  precision?: 'bf16';
  backend: string;
  baseline: string;
  samples: number;
  paper?: PaperResults;
}

/**
 * Everything that determines one trial's numbers, and nothing else: where the data file lies,
 * the backend and reporting settings are recorded beside it, not in it, so moving a file does
 * not make finished trials look new.
 */
export interface TrialConfig {
  dataset: Omit<DatasetSpec, 'data' | 'targetAccuracy'>;
  model: ModelSpec;
  activation: string;
  seed: number;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerSpec;
  schedule?: ScheduleSpec;
  augment?: true;
  earlyStopping?: EarlyStoppingSpec;
  /** Absent: fp32 (so trials from before precisions existed keep their keys). */
  precision?: 'bf16';
}

/** A trial of the grid with its identity. */
export interface PlannedTrial {
  /** Hash of the canonical JSON of `config`; unique per experiment in the store. */
  key: string;
  config: TrialConfig;
}

const DEFAULT_SAMPLES = 16;

type Path = (string | number)[];

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(spec)';
}

/** Finds where `path` (or, for an unknown key, that key) is written in the document. */
function locate(doc: Document | undefined, lines: LineCounter, path: Path, key?: string): string {
  if (doc === undefined) return '';
  let node: unknown = doc.getIn(path, true);
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair !== undefined) node = pair.key;
  }
  // A missing field is reported where its parent object is.
  for (let up = path.length - 1; (node === undefined || node === null) && up >= 0; up--) node = doc.getIn(path.slice(0, up), true);
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (range === undefined) return '';
  const { line, col } = lines.linePos(range[0]);
  return `:${line}:${col}`;
}

/** Builds the error for a field: `file:line:col: field: message`. */
function fieldError(source: SpecSource, path: Path, message: string, key?: string): UserError {
  const where = `${source.name}${locate(source.doc, source.lines, path, key)}`;
  const field = formatPath(key === undefined ? path : [...path, key]);
  return new UserError(`invalid experiment spec ${where}: ${field}: ${message}`);
}

interface SpecSource {
  name: string;
  dir: string;
  doc?: Document;
  lines: LineCounter;
}

/** Runs `check`, turning a UserError it throws into one that points at `path`. */
function at<T>(source: SpecSource, path: Path, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof UserError) throw fieldError(source, path, err.message);
    throw err;
  }
}

/** The input a model is checked against: the data set's shapes with the spec's text options. */
function modelInputFor(dataset: DatasetSpec) {
  const input = DATASET_INPUTS[dataset.name];
  if (input.kind !== 'text' || dataset.text === undefined) return input;
  return {
    ...input,
    inputShape: [dataset.text.sequenceLength ?? input.inputShape[0]],
    vocabularySize: dataset.text.vocabularySize === undefined ? input.vocabularySize : dataset.text.vocabularySize + 2,
  };
}

function resolveSpec(raw: z.output<typeof ExperimentSpecSchema>, source: SpecSource): ExperimentSpec {
  const datasets: DatasetSpec[] = raw.datasets.map((entry, i) => {
    const d = typeof entry === 'string' ? { name: entry } : entry;
    const path: Path = typeof entry === 'string' ? ['datasets', i] : ['datasets', i, 'name'];
    const name = at(source, path, () => parseDatasetName(d.name));
    const data = 'data' in d && d.data !== undefined ? (isAbsolute(d.data) ? d.data : resolve(source.dir, d.data)) : undefined;
    return { ...d, name, ...(data !== undefined ? { data } : {}) };
  });
  const seenDatasets = new Set<string>();
  datasets.forEach((d, i) => {
    if (seenDatasets.has(d.name)) throw fieldError(source, ['datasets', i], `data set '${d.name}' is listed twice`);
    seenDatasets.add(d.name);
    if (d.fromTestSet && d.name !== 'mnist' && d.name !== 'fashion-mnist') {
      throw fieldError(source, ['datasets', i, 'fromTestSet'], `only MNIST and Fashion-MNIST have a test set to split`);
    }
    if (d.text !== undefined && d.name !== 'sentiment140') throw fieldError(source, ['datasets', i, 'text'], `text options apply to sentiment140 only`);
  });

  const models: ModelSpec[] = raw.models.map((entry, i) => {
    const m = typeof entry === 'string' ? { name: entry } : entry;
    const path: Path = typeof entry === 'string' ? ['models', i] : ['models', i, 'name'];
    const definition = at(source, path, () => getModel(m.name));
    if ('hiddenUnits' in m && m.hiddenUnits !== undefined && definition.name !== 'mlp') {
      throw fieldError(source, ['models', i, 'hiddenUnits'], `only mlp takes hiddenUnits`);
    }
    return { ...m, name: definition.name, label: ('label' in m && m.label) || definition.name };
  });
  const labels = new Set<string>();
  models.forEach((m, i) => {
    if (labels.has(m.label)) throw fieldError(source, ['models', i], `model '${m.label}' is listed twice; give each variant its own label`);
    labels.add(m.label);
  });

  const activations = raw.activations.map((a, i) => at(source, ['activations', i], () => getActivation(a).name as string));
  activations.forEach((a, i) => {
    if (activations.indexOf(a) !== i) throw fieldError(source, ['activations', i], `activation '${a}' is listed twice`);
  });

  for (const d of datasets) {
    models.forEach((m, i) => at(source, ['models', i], () => checkModelFits(getModel(m.name), d.name, modelInputFor(d), activations)));
    models.forEach((m, i) => {
      if (!('hiddenUnits' in m) || m.hiddenUnits === undefined) return;
      const input = modelInputFor(d);
      at(source, ['models', i, 'hiddenUnits'], () => checkHiddenUnits(m.hiddenUnits!, input.inputShape.reduce((a, b) => a * b, 1), input.numClasses));
    });
  }

  // Checked before the seeds are listed: a count of 10^8 must not become an array first.
  const seedCount = typeof raw.seeds === 'number' ? raw.seeds : raw.seeds.length;
  const grid = datasets.length * models.length * activations.length * seedCount;
  if (grid > MAX_GRID_TRIALS) {
    throw fieldError(
      source,
      ['seeds'],
      `the grid would hold ${grid} trials (${datasets.length} data sets x ${models.length} models x ${seedCount} seeds x ${activations.length} activations); a spec may hold at most ${MAX_GRID_TRIALS}`,
    );
  }
  const seeds = typeof raw.seeds === 'number' ? Array.from({ length: raw.seeds }, (_, i) => i + 1) : raw.seeds;
  const seenSeeds = new Set<number>();
  seeds.forEach((s, i) => {
    if (seenSeeds.has(s)) throw fieldError(source, ['seeds', i], `seed ${s} is listed twice`);
    seenSeeds.add(s);
  });

  // The training modules' own defaults and checks; "off" values are left out of the trial
  // configuration so that adding an option never changes the identity of existing trials.
  const o = at(source, ['optimizer'], () =>
    resolveOptimizerConfig({ name: raw.optimizer?.name ?? 'adam', lr: raw.optimizer?.learningRate, momentum: raw.optimizer?.momentum, weightDecay: raw.optimizer?.weightDecay }),
  );
  const optimizer: OptimizerSpec = {
    name: o.name,
    learningRate: o.lr,
    ...(o.momentum !== null ? { momentum: o.momentum } : {}),
    ...(o.weightDecay > 0 ? { weightDecay: o.weightDecay } : {}),
  };
  let schedule: ScheduleSpec | undefined;
  if (raw.schedule !== undefined && raw.schedule.name !== 'none') {
    const { name, milestones, gamma } = raw.schedule;
    at(source, ['schedule'], () => checkSchedule({ name, lr: o.lr, epochs: raw.epochs, milestones, gamma }));
    schedule = { name, ...(milestones ? { milestones } : {}), ...(gamma !== undefined ? { gamma } : {}) };
  } else if (raw.schedule?.milestones !== undefined) {
    throw fieldError(source, ['schedule', 'milestones'], 'milestones apply to the step schedule only');
  }
  if (raw.augment === true) {
    const notImages = datasets.find((d) => DATASET_INPUTS[d.name].kind !== 'image');
    if (notImages !== undefined) throw fieldError(source, ['augment'], `augmentation applies to image data sets only, not ${notImages.name}`);
  }
  const earlyStopping: EarlyStoppingSpec | undefined = raw.earlyStopping && {
    monitor: raw.earlyStopping.monitor ?? 'val_loss',
    patience: raw.earlyStopping.patience ?? 0,
    minDelta: raw.earlyStopping.minDelta ?? 0,
  };

  let baseline: string;
  if (raw.baseline !== undefined) {
    baseline = at(source, ['baseline'], () => getActivation(raw.baseline!).name);
    if (!activations.includes(baseline)) throw fieldError(source, ['baseline'], `baseline '${baseline}' is not among the activations (${activations.join(', ')})`);
  } else {
    baseline = activations.includes('relu') ? 'relu' : activations[0]!;
  }

  raw.paper?.results.forEach((r, i) => {
    at(source, ['paper', 'results', i, 'dataset'], () => parseDatasetName(r.dataset));
    at(source, ['paper', 'results', i, 'activation'], () => getActivation(r.activation));
  });
  const paper = raw.paper && {
    ...raw.paper,
    results: raw.paper.results.map((r) => ({ ...r, dataset: parseDatasetName(r.dataset), activation: getActivation(r.activation).name })),
  };

  return {
    name: raw.name,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    datasets,
    models,
    activations,
    seeds,
    epochs: raw.epochs,
    batchSize: raw.batchSize,
    optimizer,
    ...(schedule ? { schedule } : {}),
    ...(raw.augment === true ? { augment: true as const } : {}),
    ...(earlyStopping ? { earlyStopping } : {}),
    ...(raw.precision === 'bf16' ? { precision: 'bf16' as const } : {}),
    backend: raw.backend ?? 'auto',
    baseline,
    samples: raw.samples ?? DEFAULT_SAMPLES,
    ...(paper !== undefined ? { paper } : {}),
  };
}

/**
 * Validates a spec given as an object (e.g. parsed JSON). `name` is used in errors and `dir`
 * resolves relative `data` paths.
 */
export function parseSpec(value: unknown, options: { name?: string; dir?: string } = {}): ExperimentSpec {
  return validate(value, { name: options.name ?? '(spec)', dir: options.dir ?? process.cwd(), lines: new LineCounter() });
}

function validate(value: unknown, source: SpecSource): ExperimentSpec {
  const parsed = ExperimentSpecSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      throw fieldError(source, path, `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`, issue.keys[0]);
    }
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) throw fieldError(source, path, `required field missing (expected ${issue.expected})`);
    throw fieldError(source, path, issue.message);
  }
  return resolveSpec(parsed.data, source);
}

/** Parses and validates spec text (YAML, of which JSON is a subset). */
export function parseSpecText(text: string, options: { name?: string; dir?: string } = {}): ExperimentSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const name = options.name ?? '(spec)';
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new UserError(`invalid experiment spec ${name}${pos ? `:${pos.line}:${pos.col}` : ''}: ${message}`);
  }
  let value: unknown;
  try {
    // The yaml library refuses documents whose aliases expand exponentially ("billion laughs").
    value = doc.toJS();
  } catch (err) {
    throw new UserError(`invalid experiment spec ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`invalid experiment spec ${name}: expected a mapping of fields (name, datasets, models, ...)`);
  }
  return validate(value, { name, dir: options.dir ?? process.cwd(), doc, lines });
}

/** A spec read from a file, with its text (kept in the store for the record). */
export interface LoadedSpec {
  spec: ExperimentSpec;
  path: string;
  text: string;
}

/** Reads and validates a spec file; relative `data` paths are taken from the file's folder. */
export async function loadSpecFile(path: string): Promise<LoadedSpec> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder; give the .yaml file' : (err as Error).message;
    throw new UserError(`cannot read experiment spec ${path}: ${reason}`, EXIT.NO_INPUT);
  }
  return { spec: parseSpecText(text, { name: path, dir: dirname(absolute) }), path: absolute, text };
}
