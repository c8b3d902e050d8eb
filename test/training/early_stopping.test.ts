import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '../../src/index.js';
import { UserError } from '../../src/errors.js';
import { History, type EpochLogs, type TrainingControl } from '../../src/training/callbacks.js';
import type { ExampleSet } from '../../src/training/data.js';
import { EarlyStopping } from '../../src/training/early_stopping.js';
import { fit } from '../../src/training/fit.js';
import { createAdam } from '../../src/training/optimizers.js';
import { useBackend } from '../helpers/backends.js';

const logs = (val_loss: number, val_accuracy = 0): EpochLogs => ({ loss: 1, accuracy: 0, val_loss, val_accuracy, seconds: 0 });

/** Feeds `values` to a fresh EarlyStopping; the 1-based epoch at which it stops, or null. */
function stopsAt(options: ConstructorParameters<typeof EarlyStopping>[0], values: EpochLogs[]): number | null {
  const cb = new EarlyStopping(options);
  const control: TrainingControl = { stopTraining: false };
  cb.onTrainBegin({ epochs: values.length, stepsPerEpoch: 1, initialEpoch: 0, control });
  for (let e = 0; e < values.length; e++) {
    cb.onEpochEnd(e, values[e]);
    if (control.stopTraining) return cb.stoppedEpoch;
  }
  return null;
}

test("Keras's rule: stop after `patience` epochs in a row without an improvement larger than min_delta", () => {
  const losses = [1, 0.9, 0.95, 0.93, 0.8, 0.85].map((v) => logs(v));
  assert.equal(stopsAt({ patience: 2 }, losses), 4);
  assert.equal(stopsAt({ patience: 3 }, losses), null);
  assert.equal(stopsAt({ patience: 0 }, losses), 3);
  // 1 -> 0.9 improves by exactly min_delta 0.1, which does not count; 0.8 then does.
  assert.equal(stopsAt({ patience: 3, minDelta: 0.1 }, losses), 4);
  assert.equal(stopsAt({ patience: 4, minDelta: 0.1 }, losses), null);
  // Accuracies must rise.
  const accs = [0.5, 0.6, 0.6, 0.55, 0.7].map((a) => logs(1, a));
  assert.equal(stopsAt({ monitor: 'val_accuracy', patience: 2 }, accs), 4);
  assert.equal(stopsAt({ monitor: 'val_accuracy', patience: 3 }, accs), null);
});

test('replaying past epochs rebuilds the state a resumed run needs', () => {
  const past = [1, 0.9, 0.95].map((v) => logs(v));
  const resumed = new EarlyStopping({ patience: 2 });
  assert.equal(resumed.replay(past), false);
  const control: TrainingControl = { stopTraining: false };
  resumed.onTrainBegin({ epochs: 6, stepsPerEpoch: 1, initialEpoch: 3, control });
  resumed.onEpochEnd(3, logs(0.93));
  assert.equal(control.stopTraining, true, 'stops at epoch 4, as the uninterrupted run');
  assert.equal(new EarlyStopping({ patience: 1 }).replay(past), true, 'patience ran out at the last replayed epoch');
});

test('bad settings and unmeasured metrics are clear errors', () => {
  assert.throws(() => new EarlyStopping({ patience: -1 }), (e: unknown) => e instanceof UserError && /patience must be an integer >= 0/.test(e.message));
  assert.throws(() => new EarlyStopping({ monitor: 'val_auc' as 'val_loss' }), /cannot monitor 'val_auc'/);
  const cb = new EarlyStopping();
  assert.throws(() => cb.onEpochEnd(0, { loss: 1, accuracy: 0, seconds: 0 }), /monitors 'val_loss', which this run does not measure/);
});

test('fit stops when a callback sets control.stopTraining, after the epoch, and says so', async () => {
  await useBackend('cpu');
  const set: ExampleSet = {
    count: 8,
    inputShape: [2],
    labels: new Int32Array(8),
    inputs: (_o, start, end) => tf.ones([end - start, 2]),
    targets: (_o, start, end) => tf.zeros([end - start], 'int32') as tf.Tensor1D,
  };
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [2], activation: 'softmax' })] });
  const history = new History();
  // The loss keeps falling, but never by more than 10: every epoch after the first is "no improvement".
  const stopper = new EarlyStopping({ monitor: 'loss', patience: 1, minDelta: 10 });
  const result = await fit(model, set, { optimizer: createAdam(), epochs: 10, batchSize: 4, seed: 1, callbacks: [history, stopper] });
  assert.equal(result.epochsDone, 2);
  assert.equal(result.stoppedEarly, true);
  assert.equal(stopper.stoppedEpoch, 2);
  assert.equal(history.epochs.length, 2);
  const full = await fit(model, set, { optimizer: createAdam(), epochs: 2, batchSize: 4, seed: 1, callbacks: [new EarlyStopping({ monitor: 'loss', patience: 5 })] });
  assert.equal(full.stoppedEarly, false);
});
