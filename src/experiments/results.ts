/**
 * The paper-style results tables: one row per (dataset, model, activation) of an experiment,
 * with the mean, standard deviation and 95% confidence interval of final test accuracy over
 * the finished seeds, Welch's and the paired t-test against the baseline activation, epochs
 * to reach a target accuracy, and the paper's number where the spec gives one.
 */
import { UserError } from '../errors.js';
import { activationName } from '../activations/names.js';
import { formatCsv, formatMarkdownTable, formatTable, type Column, type Row } from '../reports/table.js';
import type { ExperimentSpec } from './spec.js';
import { planTrials } from './spec_plan.js';
import { epochsToTarget, pairedTTest, PROPORTION, summarize, welchTTest } from './statistics.js';
import type { ExperimentRecord, TrialRecord } from './store.js';
import type { Store } from './store_api.js';

export interface ResultsOptions {
  /** Only this experiment; default every experiment in the database. */
  experiment?: string;
  /** Activation to test the others against; default the spec's baseline. */
  baseline?: string;
  /** Target accuracy for "epochs to target"; default the data set's `targetAccuracy` in the spec, else automatic. */
  target?: number;
}

/** One row of the results table; the JSON output is an array of these. */
export interface ResultRow {
  experiment: string;
  dataset: string;
  model: string;
  activation: string;
  /** Finished seeds with a test accuracy. */
  n: number;
  /** Trials of the grid for this row (seeds). */
  planned: number;
  /** Trials that failed (the loss diverged). */
  failed: number;
  /** Seeds and test accuracies of the finished trials, in seed order. */
  seeds: number[];
  accuracies: number[];
  mean: number | null;
  std: number | null;
  /** 95% CI of the mean accuracy: the Student t-interval, cut to [0, 1] (see `summarize`). */
  ci95: [number, number] | null;
  /** True when the t-interval reached past 0 or 1 and `ci95` was cut there. */
  ci95_clipped: boolean;
  min: number | null;
  max: number | null;
  baseline: string;
  /** mean - baseline mean. */
  diff: number | null;
  diff_ci95: [number, number] | null;
  /** Welch's t-test against the baseline, two-sided; null for the baseline itself. */
  p_value: number | null;
  /** Paired t-test over the seeds both finished; null with fewer than two pairs. */
  p_value_paired: number | null;
  paired_n: number;
  target_accuracy: number;
  /** Where the target came from: the option, the spec, or 95% of the lowest mean in the block. */
  target_source: 'option' | 'spec' | 'auto';
  /** Mean first epoch reaching the target, over the seeds that reached it. */
  epochs_to_target: number | null;
  epochs_to_target_reached: number;
  train_accuracy: number | null;
  test_loss: number | null;
  seconds_per_epoch: number | null;
  /** The paper's number for this row, as a fraction; null when the spec gives none. */
  paper_accuracy: number | null;
}

const mean = (xs: readonly number[]): number | null => {
  const f = xs.filter((v) => Number.isFinite(v));
  return f.length === 0 ? null : f.reduce((a, b) => a + b, 0) / f.length;
};
const orNull = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);

/** Everything the rows of one experiment are computed from. */
interface ExperimentData {
  experiment: ExperimentRecord;
  trials: TrialRecord[];
  valAccuracy: Map<number, number[]>;
}

async function loadExperiments(store: Store, name: string | undefined): Promise<ExperimentData[]> {
  const all = await store.experiments();
  let experiments = all;
  if (name !== undefined) {
    experiments = experiments.filter((e) => e.name === name);
    if (experiments.length === 0) {
      const known = all.map((e) => e.name);
      throw new UserError(`no experiment '${name}' in ${store.path}${known.length ? `; it has ${known.join(', ')}` : ''}`);
    }
  }
  const out: ExperimentData[] = [];
  for (const experiment of experiments) {
    // The current spec's grid: trials of earlier versions of the spec stay stored, unreported.
    const keys = new Set(planTrials(experiment.spec).map((t) => t.key));
    const trials = (await store.trials(experiment.id)).filter((t) => keys.has(t.key));
    const epochs = await store.epochs(trials.filter((t) => t.status === 'done').map((t) => t.id));
    const valAccuracy = new Map([...epochs].map(([id, records]) => [id, records.map((r) => r.val_accuracy)]));
    out.push({ experiment, trials, valAccuracy });
  }
  return out;
}

function resolveBaseline(spec: ExperimentSpec, baseline: string | undefined): string {
  if (baseline === undefined) return spec.baseline;
  const name = activationName(baseline);
  if (!spec.activations.includes(name)) throw new UserError(`baseline '${name}' is not an activation of experiment ${spec.name} (${spec.activations.join(', ')})`);
  return name;
}

/** Computes the rows of every (or one) experiment in the store. */
export async function computeResults(store: Store, options: ResultsOptions = {}): Promise<ResultRow[]> {
  if (options.target !== undefined && !(options.target > 0 && options.target <= 1)) throw new UserError(`target accuracy must be in (0, 1], got ${options.target}`);
  const rows: ResultRow[] = [];
  for (const { experiment, trials, valAccuracy } of await loadExperiments(store, options.experiment)) {
    const spec = experiment.spec;
    const baseline = resolveBaseline(spec, options.baseline);
    for (const d of spec.datasets) {
      for (const m of spec.models) {
        const block = trials.filter((t) => t.dataset === d.name && t.model === m.label);
        const finished = (activation: string) =>
          block.filter((t) => t.activation === activation && t.status === 'done' && t.testAccuracy !== null).sort((a, b) => a.seed - b.seed);
        const means = spec.activations.map((a) => mean(finished(a).map((t) => t.testAccuracy!))).filter((v): v is number => v !== null);
        const [target, source]: [number, ResultRow['target_source']] =
          options.target !== undefined
            ? [options.target, 'option']
            : d.targetAccuracy !== undefined
              ? [d.targetAccuracy, 'spec']
              : [means.length > 0 ? Math.floor(0.95 * Math.min(...means) * 100) / 100 : NaN, 'auto'];
        const base = finished(baseline);
        for (const activation of spec.activations) {
          const done = finished(activation);
          const acc = done.map((t) => t.testAccuracy!);
          const s = summarize(acc, { bounds: PROPORTION });
          const isBase = activation === baseline;
          const welch = isBase ? undefined : welchTTest(acc, base.map((t) => t.testAccuracy!));
          const pairs = isBase ? [] : done.flatMap((t) => base.filter((b) => b.seed === t.seed).map((b) => [t.testAccuracy!, b.testAccuracy!] as const));
          const paired = pairs.length >= 2 ? pairedTTest(pairs.map((p) => p[0]), pairs.map((p) => p[1])) : undefined;
          const reached = Number.isFinite(target) ? done.map((t) => epochsToTarget(valAccuracy.get(t.id) ?? [], target)).filter((e): e is number => e !== null) : [];
          const baseMean = mean(base.map((t) => t.testAccuracy!));
          const paper = spec.paper?.results.find((r) => r.dataset === d.name && r.activation === activation && (r.model === undefined || r.model === m.label || r.model === m.name));
          rows.push({
            experiment: spec.name,
            dataset: d.name,
            model: m.label,
            activation,
            n: s.n,
            planned: block.filter((t) => t.activation === activation).length,
            failed: block.filter((t) => t.activation === activation && t.status === 'failed').length,
            seeds: done.map((t) => t.seed),
            accuracies: acc,
            mean: orNull(s.mean),
            std: orNull(s.std),
            ci95: Number.isFinite(s.ciLow) ? [s.ciLow, s.ciHigh] : null,
            ci95_clipped: s.ciClipped,
            min: orNull(s.min),
            max: orNull(s.max),
            baseline,
            diff: isBase || s.n === 0 || baseMean === null ? null : s.mean - baseMean,
            diff_ci95: welch ? [welch.ciLow, welch.ciHigh] : null,
            p_value: welch ? welch.p : null,
            p_value_paired: paired ? paired.p : null,
            paired_n: pairs.length,
            target_accuracy: target,
            target_source: source,
            epochs_to_target: mean(reached),
            epochs_to_target_reached: reached.length,
            train_accuracy: mean(done.map((t) => t.trainAccuracy ?? NaN)),
            test_loss: mean(done.map((t) => t.testLoss ?? NaN)),
            seconds_per_epoch: mean(done.map((t) => (t.trainSeconds ?? NaN) / t.epochsDone)),
            paper_accuracy: paper?.accuracy ?? null,
          });
        }
      }
    }
  }
  return rows;
}

export type ResultsFormat = 'table' | 'markdown' | 'csv' | 'json';
export const RESULTS_FORMATS: readonly ResultsFormat[] = ['table', 'markdown', 'csv', 'json'];

const pct = (x: number | null, digits = 2) => (x === null ? '' : (x * 100).toFixed(digits));

/** A p-value as people read it: three decimals, "<0.001" below. */
export function formatP(p: number | null): string {
  if (p === null) return '';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** The table people read: accuracies in percent, as the paper prints them. */
export function displayTable(rows: readonly ResultRow[]): { columns: Column[]; rows: Row[] } {
  const many = new Set(rows.map((r) => r.experiment)).size > 1;
  const columns: Column[] = [
    ...(many ? [{ header: 'experiment', align: 'left' as const }] : []),
    { header: 'dataset', align: 'left' },
    { header: 'model', align: 'left' },
    { header: 'activation', align: 'left' },
    { header: 'n', align: 'right' },
    { header: 'accuracy % (mean ± sd)', align: 'right' },
    { header: '95% CI', align: 'right' },
    { header: 'Δ vs baseline', align: 'right' },
    { header: 'p (Welch)', align: 'right' },
    { header: 'p (paired)', align: 'right' },
    { header: 'epochs to target', align: 'right' },
    { header: 'paper %', align: 'right' },
  ];
  const body = rows.map((r): Row => [
    ...(many ? [r.experiment] : []),
    r.dataset,
    r.model,
    r.activation === r.baseline ? `${r.activation} (baseline)` : r.activation,
    r.failed > 0 ? `${r.n} (+${r.failed} failed)` : r.n < r.planned ? `${r.n}/${r.planned}` : String(r.n),
    r.mean === null ? '' : r.std === null ? pct(r.mean) : `${pct(r.mean)} ± ${pct(r.std)}`,
    r.ci95 === null ? '' : `[${pct(r.ci95[0])}, ${pct(r.ci95[1])}]${r.ci95_clipped ? ' (clipped)' : ''}`,
    r.diff === null ? '' : `${r.diff >= 0 ? '+' : ''}${pct(r.diff)}`,
    formatP(r.p_value),
    formatP(r.p_value_paired),
    Number.isFinite(r.target_accuracy) && r.n > 0
      ? `${r.epochs_to_target === null ? '–' : r.epochs_to_target.toFixed(1)} (${r.epochs_to_target_reached}/${r.n} reach ${pct(r.target_accuracy, 0)}%)`
      : '',
    pct(r.paper_accuracy),
  ]);
  return { columns, rows: body };
}

/** The CSV for programs: one raw value per column, full precision. */
export function csvTable(rows: readonly ResultRow[]): { columns: Column[]; rows: Row[] } {
  const names = [
    'experiment', 'dataset', 'model', 'activation', 'n', 'planned', 'failed', 'mean', 'std', 'ci95_low', 'ci95_high', 'ci95_clipped', 'min', 'max', 'baseline', 'diff',
    'diff_ci95_low', 'diff_ci95_high', 'p_value', 'p_value_paired', 'paired_n', 'target_accuracy', 'target_source', 'epochs_to_target',
    'epochs_to_target_reached', 'train_accuracy', 'test_loss', 'seconds_per_epoch', 'paper_accuracy', 'seeds', 'accuracies',
  ];
  return {
    columns: names.map((header) => ({ header })),
    rows: rows.map((r) => [
      r.experiment, r.dataset, r.model, r.activation, r.n, r.planned, r.failed, r.mean, r.std, r.ci95?.[0], r.ci95?.[1], r.ci95_clipped, r.min, r.max, r.baseline, r.diff,
      r.diff_ci95?.[0], r.diff_ci95?.[1], r.p_value, r.p_value_paired, r.paired_n, r.target_accuracy, r.target_source, r.epochs_to_target,
      r.epochs_to_target_reached, r.train_accuracy, r.test_loss, r.seconds_per_epoch, r.paper_accuracy, r.seeds.join(' '), r.accuracies.join(' '),
    ]),
  };
}

/** The rows in one of the output formats (no trailing newline except CSV's and JSON's). */
export function formatResults(rows: readonly ResultRow[], format: ResultsFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
    case 'csv': {
      const t = csvTable(rows);
      return formatCsv(t.columns, t.rows);
    }
    case 'markdown': {
      const t = displayTable(rows);
      return formatMarkdownTable(t.columns, t.rows);
    }
    case 'table': {
      const t = displayTable(rows);
      return formatTable(t.columns, t.rows);
    }
  }
}

/** What the table's columns mean, printed under it. */
export function resultsLegend(rows: readonly ResultRow[]): string {
  const baselines = [...new Set(rows.map((r) => r.baseline))].join(', ');
  return [
    `Test accuracy after the last epoch over seeds: mean ± sample sd, 95% CI of the mean (Student t; "(clipped)": it reached past 0 or 100% and was cut there).`,
    `Δ and p: against the baseline (${baselines}); Welch's t-test, and the paired t-test over seeds both finished; two-sided.`,
    `Epochs to target: mean first epoch whose test accuracy reaches the target, over the seeds that reach it.`,
  ].join('\n');
}
