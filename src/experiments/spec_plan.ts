/**
 * What a parsed spec plans: its trials, their keys and the spec's hash. Apart from spec.ts,
 * whose parsing checks names against the models, optimizers and activations (and so loads
 * TensorFlow.js), because reading a results store needs only this: `lisht results` starts
 * without TensorFlow.js.
 */
import { createHash } from 'node:crypto';
import type { ExperimentSpec, PlannedTrial, TrialConfig } from './spec.js';

/** JSON with object keys sorted at every level, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** SHA-256 of the canonical JSON, hex. */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** The spec's identity for the store: everything but the description. */
export function specHash(spec: ExperimentSpec): string {
  return hashJson(spec);
}

/**
 * The trials of a spec: datasets x models x seeds x activations, in that nesting, so that the
 * activations of one seed run side by side and a partial run stays balanced.
 */
export function planTrials(spec: ExperimentSpec): PlannedTrial[] {
  const out: PlannedTrial[] = [];
  for (const d of spec.datasets) {
    const { data: _data, targetAccuracy: _target, ...dataset } = d;
    for (const model of spec.models) {
      for (const seedValue of spec.seeds) {
        for (const activation of spec.activations) {
          const config: TrialConfig = {
            dataset,
            model,
            activation,
            seed: seedValue,
            epochs: spec.epochs,
            batchSize: spec.batchSize,
            optimizer: spec.optimizer,
            ...(spec.schedule ? { schedule: spec.schedule } : {}),
            ...(spec.augment ? { augment: spec.augment } : {}),
            ...(spec.earlyStopping ? { earlyStopping: spec.earlyStopping } : {}),
            ...(spec.precision ? { precision: spec.precision } : {}),
          };
          out.push({ key: hashJson(config), config });
        }
      }
    }
  }
  return out;
}
