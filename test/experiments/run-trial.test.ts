import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../../src/register.js';
import { UserError } from '../../src/errors.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { tempDir } from '../helpers/env.js';
import { epochMetrics, irisPath, query, writeSpec } from './helpers/experiments.js';
import { checkpointError, classResults, sampleIndices } from '../../src/experiments/trial.js';
import { epochRecord } from '../../src/training/epoch_record.js';

const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

test('a checkpoint that cannot be written is a clear error; other failures stay what they are', () => {
  const full = checkpointError(errno('ENOSPC'), '/db.checkpoints/7');
  assert.ok(full instanceof UserError);
  assert.equal(full.exitCode, 74);
  assert.match(full.message, /cannot write checkpoint \/db\.checkpoints\/7: the disk is full \(ENOSPC\); the trial resumes from its previous checkpoint/);
  assert.match((checkpointError(errno('EROFS'), '/x') as Error).message, /not writable \(EROFS\)/);
  const other = errno('ENOTDIR');
  assert.equal(checkpointError(other, '/x'), other);
  const bug = new TypeError('x is undefined');
  assert.equal(checkpointError(bug, '/x'), bug);
});

test('per-class counts and the confusion matrix', () => {
  const { classes, confusion } = classResults([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], ['a', 'b', 'c']);
  assert.deepEqual(confusion, [
    [1, 1, 0],
    [0, 1, 0],
    [1, 0, 2],
  ]);
  assert.deepEqual(classes, [
    { name: 'a', support: 2, correct: 1 },
    { name: 'b', support: 1, correct: 1 },
    { name: 'c', support: 3, correct: 2 },
  ]);
});

test('sample indices are the same for every trial, distinct, and within the test set', () => {
  const a = sampleIndices(100, 16);
  assert.deepEqual(sampleIndices(100, 16), a);
  assert.equal(new Set(a).size, 16);
  assert.ok(a.every((i) => Number.isInteger(i) && i >= 0 && i < 100));
  assert.notDeepEqual(a, Array.from({ length: 16 }, (_, i) => i), 'a shuffle, not the first examples');
  assert.equal(sampleIndices(5, 16).length, 5);
  assert.deepEqual(sampleIndices(100, 0), []);
});

test('epoch records are 1-based and keep NaN for a missing validation', () => {
  const r = epochRecord(0, { loss: 0.5, accuracy: 0.8, seconds: 1.5 });
  assert.equal(r.epoch, 1);
  assert.ok(Number.isNaN(r.val_accuracy));
});

// Monitoring val_accuracy, which plateaus on the real Iris and on the separable fixture alike
// (on the fixture, val_loss keeps falling for all 40 epochs).
test('early stopping ends a trial by its rule, and the trial counts as done with the epochs it ran', async () => {
  const dir = tempDir('lisht-trial-es-');
  try {
    const spec = writeSpec(
      dir.path,
      'es.yaml',
      `name: es
datasets: [iris]
models: [{ name: mlp, hiddenUnits: [16] }]
activations: [lisht, relu]
seeds: 2
epochs: 40
batchSize: 16
optimizer: { name: adam, learningRate: 0.05 }
schedule: { name: cosine }
earlyStopping: { monitor: val_accuracy, patience: 2 }
backend: wasm
`,
    );
    const db = join(dir.path, 'r.db');
    // Without gradient flow (`lisht run --no-gradient-flow`): nothing of it stored, and the
    // training exactly that of a run which measures it (the probe changes no state).
    const summary = await runExperiment({ spec, db, workers: 1, data: { iris: irisPath(dir.path) }, gradientFlow: false });
    assert.equal(summary.done, 4);
    assert.deepEqual(query(db, 'SELECT * FROM gradient_flow'), []);
    const measured = join(dir.path, 'measured.db');
    await runExperiment({ spec, db: measured, workers: 1, data: { iris: irisPath(dir.path) } });
    assert.ok(query(measured, 'SELECT * FROM gradient_flow').length > 0);
    assert.deepEqual(epochMetrics(measured), epochMetrics(db));
    const trials = query<{ id: number; epochs_done: number; status: string }>(db, 'SELECT id, epochs_done, status FROM trials');
    assert.ok(trials.some((t) => t.epochs_done < 40), `some trial stopped early: ${trials.map((t) => t.epochs_done).join(', ')}`);
    for (const t of trials) {
      const accuracies = query<{ val_accuracy: number }>(db, 'SELECT val_accuracy FROM epochs WHERE trial_id = ? ORDER BY epoch', t.id).map((r) => r.val_accuracy);
      assert.equal(accuracies.length, t.epochs_done);
      if (t.epochs_done === 40) continue;
      // Stopped with patience 2: its last 2 epochs did not beat the best val_accuracy before them.
      const best = Math.max(...accuracies.slice(0, -2));
      assert.ok(accuracies.slice(-2).every((a) => a <= best), `trial ${t.id} stopped while improving`);
    }
  } finally {
    dir.remove();
  }
});
