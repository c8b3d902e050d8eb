/**
 * The JSON shapes of what `inspect` measures (`inspect/inspect.json`), besides the gradient flow
 * of `src/diagnostics/types.ts`. Field names are snake_case like the
 * rest of summary.json. A NaN measured anywhere is written by JSON as `null`; readers treat
 * `null` as "not measured / not finite".
 */

export type { ActivationStats, GradientFlowRecord, LayerFlow } from '../diagnostics/types.js';
import type { GradientFlowRecord } from '../diagnostics/types.js';

/** Histogram of one layer's kernel, initial and trained, on bins shared by every activation. */
export interface WeightHistogram {
  layer: string;
  /** Bin edges, `counts.length + 1` of them. */
  edges: number[];
  initial: number[];
  trained: number[];
  /** Number of weights (every bin count sums to this). */
  count: number;
}

/** A 1-D loss curve from the initial (alpha 0) to the trained (alpha 1) weights. */
export interface Interpolation1d {
  alpha: number[];
  loss: (number | null)[];
  accuracy: (number | null)[];
  /** Wall-clock seconds, and CPU seconds of this process (the fairer number on a busy machine). */
  seconds: number;
  cpu_seconds: number;
}

/** The loss over `theta + x * d1 + y * d2` on a grid, `loss[row of y][column of x]`. */
export interface Surface2d {
  x: number[];
  y: number[];
  loss: (number | null)[][];
  accuracy: (number | null)[][];
  seconds: number;
  cpu_seconds: number;
}

/** Per-activation part of `inspect.json`. */
export interface ActivationInspection {
  activation: string;
  /** Where the initial weights came from. */
  initial_weights: 'saved' | 'rebuilt-from-seed';
  weights: WeightHistogram[];
  /** Feature-map layers shown, and the value that maps to full colour in each. */
  feature_maps: { layer: string; channels: number; height: number; width: number }[];
  landscape_1d: Interpolation1d;
  landscape_2d: Surface2d;
  files: string[];
}

/** `inspect/inspect.json`. */
export interface InspectData {
  created: string;
  backend: string;
  /** Options as resolved. */
  grid: number;
  subset: number;
  range: number;
  images: number;
  seed: number;
  batch_size: number;
  /** Shared scales, so every activation's pictures compare at a glance. */
  scales: {
    loss_2d: [number, number] | null;
    contour_levels: number[];
    feature_maps: { layer_index: number; max: number; signed: boolean }[];
  };
  activations: ActivationInspection[];
  /** Files written under `inspect/`, for the report. */
  files: { gradient_flow: string | null; landscape_1d: string | null };
  seconds: number;
}
