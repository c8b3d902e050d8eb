/**
 * Gradient flow as a report shows it: the chart (one row per quantity, one column per layer)
 * and the section with its table. Plain data in (the records `src/diagnostics/` measures), so the
 * experiment reports and `lisht inspect` draw it the same way.
 */
import type { GradientFlowRecord } from '../diagnostics/types.js';
import { baseSpec, compositeBase, finiteOrNull, type ChartSpec } from './charts/common.js';
import type { Block, Section } from './html.js';
import { seriesColors } from './palette.js';
import { renderSvg } from './render.js';
import { fixed, percent, type Row } from './table.js';

interface FlowMetric {
  key: string;
  title: string;
  log?: boolean;
  /** A share in [0, 1], drawn as a percentage from 0. */
  share?: boolean;
  value(l: GradientFlowRecord['layers'][number]): number | null | undefined;
}

const FLOW_METRICS: readonly FlowMetric[] = [
  { key: 'grad_norm', title: 'gradient norm', log: true, value: (l) => l.grad_norm },
  { key: 'weight_norm', title: 'weight norm', value: (l) => l.weight_norm },
  { key: 'dead', title: 'dead units', share: true, value: (l) => l.activation?.dead_fraction },
  { key: 'saturated', title: 'saturated units', share: true, value: (l) => l.activation?.saturated_fraction },
  { key: 'zero', title: 'zero outputs', share: true, value: (l) => l.activation?.zero_fraction },
  { key: 'mean', title: 'activation mean', value: (l) => l.activation?.mean },
  { key: 'std', title: 'activation std', value: (l) => l.activation?.std },
];

/** At most `max` items, evenly spread and always including the first and last. */
export function spread<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const picked = new Set(Array.from({ length: max }, (_, i) => Math.round((i * (items.length - 1)) / (max - 1))));
  return [...picked].map((i) => items[i]!);
}

/**
 * Gradient flow over epochs: one row per quantity, one column per layer, one line per
 * activation, so every activation shares every axis. Each row has its own layers (weighted
 * layers for norms, activation sites for the rest), matched across activations by name with
 * the activation's name masked (`conv1_relu` and `conv1_prelu` are both `conv1_*`); deep
 * models show at most `maxLayers` per row, evenly spread over depth.
 */
export function gradientFlowChart(runs: readonly { activation: string; records: readonly GradientFlowRecord[] }[], maxLayers = 6): ChartSpec {
  const activations = runs.map((r) => r.activation);
  const colors = seriesColors(activations);
  const maxEpoch = Math.max(0, ...runs.flatMap((r) => r.records.map((rec) => rec.epoch)));
  let truncated = false;
  const panels = FLOW_METRICS.flatMap((m) => {
    const has = (l: GradientFlowRecord['layers'][number]) => {
      const v = m.value(l);
      return v !== null && v !== undefined;
    };
    const key = (activation: string, layer: string) => layer.split(activation).join('*');
    // The layers with this quantity in depth order: the deepest run's, then any others'.
    const perRun = runs.map((r) => (r.records.at(-1)?.layers ?? []).filter(has).map((l) => key(r.activation, l.layer)));
    const all = [...new Set([...perRun].sort((a, b) => b.length - a.length).flat())];
    const labels = spread(all, maxLayers);
    if (labels.length < all.length) truncated = true;
    const values = runs.flatMap((run) =>
      run.records.flatMap((rec) =>
        rec.layers.flatMap((layer) => {
          const label = key(run.activation, layer.layer);
          const value = labels.includes(label) ? finiteOrNull(m.value(layer) ?? undefined) : null;
          return value === null || (m.log && value <= 0) ? [] : [{ activation: run.activation, layer: label, epoch: rec.epoch, value }];
        }),
      ),
    );
    if (values.length === 0) return [];
    // A share that is 0 everywhere (no dead units at all) still gets a readable axis.
    const top = Math.max(0, ...values.map((v) => v.value));
    const scale = m.log ? { type: 'log' } : m.share ? { domain: [0, top > 0 ? Math.min(1, top * 1.1) : 0.05] } : { zero: m.key !== 'mean' };
    return [
      {
        data: { values },
        facet: { column: { field: 'layer', type: 'nominal', sort: labels, title: null, header: { labelFontSize: 12 } } },
        spec: {
          width: 170,
          height: 100,
          mark: { type: 'line', strokeWidth: 2, point: maxEpoch <= 20 },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { domain: [0, Math.max(1, maxEpoch)], nice: false }, axis: { tickMinStep: 1, format: 'd' } },
            y: { field: 'value', type: 'quantitative', title: m.title, scale, ...(m.share ? { axis: { format: '.0%' } } : {}) },
            color: { field: 'activation', type: 'nominal', title: 'activation', sort: activations, scale: { domain: activations, range: colors } },
          },
        },
      },
    ];
  });
  const shown = truncated ? `; at most ${maxLayers} layers per row, evenly spread over depth` : '';
  return {
    ...compositeBase('Gradient flow', `per layer, on a fixed probe batch; epoch 0 = initial weights${shown}`),
    vconcat: panels,
    resolve: { scale: { color: 'shared' } },
  } as ChartSpec;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : v);

/** One activation's gradient-flow measurements, as a report shows them. */
export interface GradientFlowRun {
  activation: string;
  records: GradientFlowRecord[];
}

/** Options of {@link gradientFlowSection}. */
export interface GradientFlowSectionOptions {
  heading?: string;
  /** Added to the explanation (which runs are shown). */
  note?: string;
  /** Renders the chart (default: an inline SVG figure); a report that keeps PNG copies passes its own. */
  chart?: (spec: ChartSpec, caption: string) => Promise<Block>;
}

/** Gradient flow: the chart and, per activation and layer, the numbers before and after training. */
export async function gradientFlowSection(runs: readonly GradientFlowRun[], options: GradientFlowSectionOptions = {}): Promise<Section | undefined> {
  if (runs.length === 0) return undefined;
  const { heading = 'Gradient flow', note = '' } = options;
  const chart = options.chart ?? (async (spec: ChartSpec, caption: string): Promise<Block> => ({ kind: 'svg', svg: await renderSvg(spec), caption }));
  const rows: Row[] = runs.flatMap((run) => {
    const first = run.records[0]!;
    const last = run.records[run.records.length - 1]!;
    return (first === last ? [last] : [first, last]).flatMap((rec) =>
      rec.layers.map((l): Row => [
        run.activation,
        rec.epoch,
        l.layer,
        l.grad_norm,
        l.weight_norm,
        pct(l.activation?.dead_fraction),
        pct(l.activation?.saturated_fraction),
        pct(l.activation?.zero_fraction),
        pct(l.activation?.low_gradient_fraction),
        l.activation?.mean ?? null,
        l.activation?.std ?? null,
      ]),
    );
  });
  const probe = runs[0]!.records[0]!;
  return {
    heading,
    blocks: [
      await chart(gradientFlowChart(runs), 'gradient-flow'),
      {
        kind: 'paragraph',
        text:
          `Measured on a fixed batch of ${probe.probe_size} training examples before training (epoch 0) and after every epoch, in inference mode. ` +
          `Gradient norm: L2 norm of the loss gradient over the layer's weights. Dead unit: a channel or neuron whose output is exactly 0 for every example and position. ` +
          `Saturated unit: not dead, yet |f'(z)| < ${probe.epsilon} for every example and position. Zero outputs: share of output values exactly 0; ` +
          `low-gradient outputs: share of values with |f'(z)| < ${probe.epsilon}.` +
          (note ? ` ${note}` : ''),
      },
      {
        kind: 'table',
        caption: 'Before training and after the last epoch',
        columns: [
          { header: 'activation', align: 'left' },
          { header: 'epoch' },
          { header: 'layer', align: 'left' },
          { header: 'gradient norm', format: fixed(4) },
          { header: 'weight norm', format: fixed(3) },
          { header: 'dead units', format: percent(1) },
          { header: 'saturated units', format: percent(1) },
          { header: 'zero outputs', format: percent(1) },
          { header: 'low-gradient outputs', format: percent(1) },
          { header: 'mean', format: fixed(3) },
          { header: 'std', format: fixed(3) },
        ],
        rows,
      },
    ],
  };
}
