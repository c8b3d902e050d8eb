/**
 * The tables of a results store, in the order their rows can be inserted (parents first), with
 * the order their rows are read in: what `lisht db copy` moves, the same in SQLite and
 * PostgreSQL (the two schemas name the same columns).
 */
export const STORE_TABLES: Readonly<Record<string, { order: string }>> = {
  experiments: { order: 'id' },
  spec_versions: { order: 'experiment_id, spec_hash' },
  trials: { order: 'id' },
  epochs: { order: 'trial_id, epoch' },
  gradient_flow: { order: 'trial_id, epoch' },
  class_metrics: { order: 'trial_id, class_index' },
  confusion: { order: 'trial_id, true_class, predicted_class' },
  samples: { order: 'trial_id, position' },
  trial_runs: { order: 'id' },
};

/** Table names, parents first. */
export const TABLE_ORDER: readonly string[] = Object.keys(STORE_TABLES);
