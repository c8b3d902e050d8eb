import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/register.js';
import { loadDataset } from '../../src/datasets/index.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { modelsRoot } from '../../src/experiments/sqlite_store.js';
import { ResultStore, type TrialRecord } from '../../src/experiments/store.js';
import { trialSets } from '../../src/experiments/trial.js';
import { LossEvaluator } from '../../src/inspect/landscape.js';
import { inspect } from '../../src/inspect/inspect.js';
import type { InspectData } from '../../src/inspect/types.js';
import { evaluate } from '../../src/training/evaluate.js';
import { loadModel } from '../../src/training/model_files.js';
import { useBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/env.js';
import { irisPath, irisSpec } from '../experiments/helpers/experiments.js';

const dir = tempDir('lisht-inspect-store-');
const db = join(dir.path, 'r.db');
const bare = join(dir.path, 'bare.db');
let iris: string;
let trials: TrialRecord[];

before(async () => {
  iris = irisPath(dir.path);
  const spec = irisSpec(dir.path, { epochs: 4 });
  assert.equal((await runExperiment({ spec, db, workers: 1, data: { iris } })).done, 6);
  assert.equal((await runExperiment({ spec, db: bare, workers: 1, data: { iris }, saveModels: false })).done, 6);
  const store = ResultStore.open(db, { readonly: true });
  trials = store.trials(store.experiments()[0]!.id);
  store.close();
});

after(() => dir.remove());

test('lisht run keeps each trial model; --no-save-models keeps none', () => {
  for (const t of trials) {
    assert.ok(existsSync(join(modelsRoot(db), String(t.id), 'model.json')), `trial ${t.id}: trained model`);
    assert.ok(existsSync(join(modelsRoot(db), String(t.id), 'initial', 'model.json')), `trial ${t.id}: initial model`);
  }
  assert.equal(existsSync(modelsRoot(bare)), false);
});

test('inspect --db: the trials of one seed, inspected on the data and split they trained on, the report drawn from the store', async () => {
  const out = join(dir.path, 'inspected');
  const data = await inspect({ db, out, trialSeed: 2, grid: 3, subset: 1000, images: 0, backend: 'wasm' });
  assert.deepEqual(data.activations.map((a) => [a.activation, a.initial_weights]), [['lisht', 'saved'], ['relu', 'saved']]);
  // The store's own report module draws the trials, with inspect's sections and gradient flow added.
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /<h2>Loss landscape<\/h2>/);
  assert.match(html, /iris-test: iris \/ mlp/);
  assert.ok(existsSync(join(out, 'inspect', 'gradient-flow.png')), 'the trials\' gradient flow is drawn');
  assert.equal(existsSync(join(out, 'summary.json')), false, 'no compare folder is faked');
  await useBackend('wasm');
  for (const a of data.activations) {
    const trial = trials.find((t) => t.activation === a.activation && t.seed === 2)!;
    const c = trial.config;
    const dataset = await loadDataset(c.dataset.name, { data: iris, split: c.dataset.split, fromTestSet: c.dataset.fromTestSet });
    const sets = trialSets(c, dataset);
    const model = await loadModel(join(modelsRoot(db), String(trial.id)));
    // The saved model is the trial's: its test accuracy is the stored one.
    assert.equal((await evaluate(model, sets.test, c.batchSize)).accuracy, trial.testAccuracy);
    // The landscape was measured on the trial's training split (all 120 examples here): its
    // trained end is the trained model's loss there (the interpolated weights round differently).
    const evaluator = new LossEvaluator(sets.train, 1000, 500);
    const want = await evaluator.evaluate(model);
    evaluator.dispose();
    model.dispose();
    assert.equal(a.landscape_1d.alpha.at(-1), 1);
    assert.ok(Math.abs(a.landscape_1d.loss.at(-1)! - want.loss) < 1e-5, `${a.activation}: ${a.landscape_1d.loss.at(-1)} vs ${want.loss}`);
  }

  // Its own folder can be written again; any other non-empty one (a compare run) is refused.
  await inspect({ db, out, trialSeed: 1, activations: ['relu'], grid: 3, subset: 10, images: 0, backend: 'wasm' });
  assert.deepEqual((JSON.parse(readFileSync(join(out, 'inspect', 'inspect.json'), 'utf8')) as InspectData).activations.map((a) => a.activation), ['relu']);
  const other = join(dir.path, 'a-compare-run');
  mkdirSync(other);
  writeFileSync(join(other, 'summary.json'), '{}');
  await assert.rejects(inspect({ db, out: other, grid: 3, subset: 10, images: 0, backend: 'wasm' }), /--out .*a-compare-run is not empty and was not written by lisht inspect --db/);
  assert.equal(readFileSync(join(other, 'summary.json'), 'utf8'), '{}');
});

test('inspect --db: clear errors for an unknown experiment, seed or activation, and for trials without models', async () => {
  const out = join(dir.path, 'never');
  const opts = { db, out, grid: 3, subset: 10, images: 0, backend: 'wasm' };
  await assert.rejects(inspect({ ...opts, experiment: 'nope' }), /has no experiment nope; it has iris-test/);
  await assert.rejects(inspect({ ...opts, trialSeed: 9 }), /experiment iris-test has no finished trial with seed 9; seeds: 1, 2, 3/);
  await assert.rejects(inspect({ ...opts, activations: ['tanh'] }), /experiment iris-test has no activation tanh; it has lisht, relu/);
  await assert.rejects(inspect({ ...opts, dataset: 'mnist' }), /experiment iris-test on mnist has no finished trial/);
  await assert.rejects(inspect({ ...opts, db: bare }), /trials \d+ \(lisht\), \d+ \(relu\) of .*bare\.db have no saved model in .*bare\.db\.models\/ \(run with --no-save-models/);
  await assert.rejects(inspect({ ...opts, grid: 2 }), /--grid must be an integer of at least 3/);
  assert.equal(existsSync(out), false, 'nothing written');
});
