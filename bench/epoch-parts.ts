/**
 * Where an epoch of `lisht compare` goes, part by part, in one process with the parts
 * alternated: a training step on one fixed batch (what `lisht bench` times), a step on fresh
 * batches in the epoch's shuffled order (what `fit` runs), the assembly of those batches from
 * the uint8 images, and a validation batch. On the CIFAR-10 subset of `../shared/datasets`, or
 * any CIFAR-10 binary archive given with --data.
 *
 *   node dist/bench/epoch-parts.js [--data ARCHIVE] [--backend native] [--activations relu,lisht] [--rounds 6]
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import '../src/register.js';
import { selectBackend, type BackendChoice } from '../src/backends/select.js';
import { loadDataset } from '../src/datasets/load.js';
import { buildSeedCnn } from '../src/models/seed_cnn.js';
import { formatTable, fixed } from '../src/reports/table.js';
import { median } from '../src/training/bench.js';
import { exampleSets } from '../src/training/data.js';
import { evaluate } from '../src/training/evaluate.js';
import { epochOrder, trainableVariables, trainStep } from '../src/training/fit.js';
import { createOptimizer } from '../src/training/optimizers.js';
import { SHARED_DATASETS } from '../test/helpers/env.js';

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string', default: join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz') },
    backend: { type: 'string', default: 'native' },
    activations: { type: 'string', default: 'relu,lisht' },
    rounds: { type: 'string', default: '6' },
  },
});
const DATA = opts.data;
const BATCH = 100;
const STEPS_PER_ROUND = 15;

if (!existsSync(DATA)) {
  process.stderr.write(`${DATA} is absent: give a CIFAR-10 binary archive with --data\n`);
  process.exit(66);
}
const backend = opts.backend as BackendChoice;
const activations = opts.activations.split(',');
const rounds = Number(opts.rounds);
await selectBackend(backend);
const dataset = await loadDataset('cifar10', { data: DATA });
const { train, test } = exampleSets(dataset);
const order = epochOrder(train.count, 1, 0);
const rows: (string | number)[][] = [];
for (const activation of activations) {
  const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation, seed: 1 });
  const optimizer = createOptimizer({ name: 'adam' });
  const vars = trainableVariables(model);
  const fixedX = train.inputs(order, 0, BATCH);
  const fixedY = train.targets(order, 0, BATCH);
  const t = { fixed: [] as number[], fresh: [] as number[], batch: [] as number[], validation: [] as number[] };
  for (let i = 0; i < 10; i++) await trainStep(model, optimizer, vars, fixedX, fixedY);
  for (let round = 0; round < rounds; round++) {
    for (let s = 0; s < STEPS_PER_ROUND; s++) {
      const t0 = performance.now();
      await trainStep(model, optimizer, vars, fixedX, fixedY);
      t.fixed.push(performance.now() - t0);
    }
    for (let s = 0; s < STEPS_PER_ROUND; s++) {
      const start = ((round * STEPS_PER_ROUND + s) * BATCH) % (train.count - BATCH);
      const t0 = performance.now();
      const x = train.inputs(order, start, start + BATCH, { epoch: 0, step: s });
      const y = train.targets(order, start, start + BATCH);
      const t1 = performance.now();
      await trainStep(model, optimizer, vars, x, y);
      t.fresh.push(performance.now() - t1);
      t.batch.push(t1 - t0);
      tf.dispose([x, y]);
    }
    const t0 = performance.now();
    await evaluate(model, test, BATCH);
    t.validation.push((performance.now() - t0) / Math.ceil(test.count / BATCH));
  }
  tf.dispose([fixedX, fixedY]);
  model.dispose();
  optimizer.dispose();
  const steps = Math.ceil(train.count / BATCH);
  const epoch = steps * (median(t.fresh) + median(t.batch)) + Math.ceil(test.count / BATCH) * median(t.validation);
  rows.push([activation, median(t.fixed), median(t.fresh), median(t.batch), median(t.validation), epoch / 1000]);
}
process.stdout.write(
  `seed-cnn, batch ${BATCH}, backend ${tf.getBackend()}, ${DATA} (${train.count} training, ${test.count} validation images); medians of ${rounds} alternating rounds\n\n` +
    formatTable(
      [
        { header: 'activation', align: 'left' },
        { header: 'step, fixed batch (ms)', format: fixed(2) },
        { header: 'step, fresh batches (ms)', format: fixed(2) },
        { header: 'batch assembly (ms)', format: fixed(2) },
        { header: 'validation batch (ms)', format: fixed(2) },
        { header: 'epoch from parts (s)', format: fixed(2) },
      ],
      rows,
    ) +
    `\n\nepoch from parts = ${Math.ceil(train.count / BATCH)} x (fresh step + assembly) + ${Math.ceil(test.count / BATCH)} validation batches: compare it with bench/epoch.js's measured epoch; the difference is callbacks, progress and bookkeeping.\n`,
);
