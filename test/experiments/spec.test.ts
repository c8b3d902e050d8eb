import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/register.js';
import { UserError } from '../../src/errors.js';
import { loadSpecFile, parseSpec, parseSpecText, planTrials } from '../../src/experiments/spec.js';
import { REPO_ROOT, tempDir } from '../helpers/env.js';

const VALID = `# a comment
name: demo
datasets:
  - iris
  - { name: car-evaluation, data: data/car.csv, targetAccuracy: 0.9 }
models:
  - mlp
activations: [LiSHT, silu]
seeds: 2
epochs: 3
batchSize: 8
`;

/** Asserts that parsing `text` fails with a UserError matching `pattern`. */
function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseSpecText(text, { name: 'spec.yaml', dir: '/specs' }),
    (e: unknown) => e instanceof UserError && pattern.test(e.message),
    `expected ${pattern}`,
  );
}

test('a valid spec gets canonical names, defaults, and data paths relative to its file', () => {
  const spec = parseSpecText(VALID, { name: 'demo.yaml', dir: '/specs' });
  assert.deepEqual(spec.activations, ['lisht', 'swish']);
  assert.deepEqual(spec.seeds, [1, 2]);
  assert.deepEqual(spec.optimizer, { name: 'adam', learningRate: 0.001 });
  assert.equal(spec.backend, 'auto');
  assert.equal(spec.baseline, 'lisht', 'without relu the first activation is the baseline');
  assert.equal(spec.samples, 16);
  assert.equal(spec.datasets[1]!.data, '/specs/data/car.csv');
  assert.deepEqual(spec.models, [{ name: 'mlp', label: 'mlp' }]);
});

test('JSON specs are accepted too', () => {
  const spec = parseSpecText(JSON.stringify({ name: 'j', datasets: ['iris'], models: ['mlp'], activations: ['relu'], seeds: [7, 3], epochs: 1, batchSize: 4, optimizer: { name: 'sgd' } }));
  assert.deepEqual(spec.seeds, [7, 3]);
  // The training module's defaults (He et al.'s SGD).
  assert.deepEqual(spec.optimizer, { name: 'sgd', learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4 });
  assert.equal(spec.baseline, 'relu');
});

test('errors name the file, line, column and field', () => {
  rejects(VALID.replace('[LiSHT, silu]', '[lisht, relu7]'), /^invalid experiment spec spec\.yaml:8:22: activations\[1\]: unknown activation 'relu7'; known: lisht, relu/);
  rejects(VALID.replace('  - mlp', '  - vgg99'), /spec\.yaml:7:5: models\[0\]: unknown model 'vgg99'/);
  rejects(VALID.replace('  - iris', '  - imagenet'), /spec\.yaml:4:5: datasets\[0\]: .*imagenet/);
  rejects(VALID.replace('epochs: 3', 'epochs: three'), /spec\.yaml:10:9: epochs: .*number/);
  rejects(VALID.replace('epochs: 3', 'epochs: 0'), /spec\.yaml:10:9: epochs: .*>0|spec\.yaml:10:9: epochs: .*positive|too small/);
  rejects(VALID.replace('batchSize: 8', 'batchSize: 8\nlearning_rate: 0.1'), /spec\.yaml:12:1: learning_rate: unknown field 'learning_rate'/);
  rejects(VALID.replace('targetAccuracy: 0.9', 'targetAccuracy: 1.5'), /spec\.yaml:5:65: datasets\[1\]\.targetAccuracy: /);
  rejects(VALID.replace('seeds: 2', 'seeds: [1, 2, 1]'), /seeds\[2\]: seed 1 is listed twice/);
  rejects(VALID.replace('epochs: 3\n', ''), /spec\.yaml:2:1: epochs: required field missing \(expected number\)/);
  rejects(VALID.replace('seeds: 2', 'seeds: 2\nbaseline: relu'), /baseline: baseline 'relu' is not among the activations \(lisht, swish\)/);
  rejects(VALID.replace('  - mlp', '  - seed-cnn'), /models\[0\]: model 'seed-cnn' does not fit data set 'iris'/);
  rejects(VALID.replace('  - mlp', '  - { name: seed-cnn, hiddenUnits: [4] }'), /models\[0\]\.hiddenUnits: only mlp takes hiddenUnits/);
  rejects(VALID.replace('  - mlp', '  - mlp\n  - mlp'), /models\[1\]: model 'mlp' is listed twice/);
  rejects('name: x\n  bad: [\n', /^invalid experiment spec spec\.yaml:\d+:\d+: /);
  rejects('- just\n- a list\n', /expected a mapping of fields/);
  rejects(VALID.replace('name: demo', 'name: "has space"'), /name: letters, digits/);
});

test('schedules, augmentation and early stopping: checked by the training modules, absent from trials when off', () => {
  const base = planTrials(parseSpecText(VALID));
  const off = planTrials(parseSpecText(VALID + 'schedule: { name: none }\naugment: false\noptimizer: { name: adam, weightDecay: 0 }\n'));
  assert.deepEqual(off.map((t) => t.key), base.map((t) => t.key), 'options at their "off" value keep the trials');
  const images = `name: img\ndatasets: [cifar10]\nmodels: [seed-cnn]\nactivations: [relu]\nseeds: 1\nepochs: 8\nbatchSize: 4\n`;
  const on = parseSpecText(images + 'schedule: { name: step, milestones: [5] }\naugment: true\nearlyStopping: { monitor: val_accuracy, patience: 2 }\n');
  assert.deepEqual(on.schedule, { name: 'step', milestones: [5] });
  assert.deepEqual(on.earlyStopping, { monitor: 'val_accuracy', patience: 2, minDelta: 0 });
  const [trial] = planTrials(on);
  assert.equal(trial!.config.augment, true);
  assert.deepEqual(trial!.config.schedule, { name: 'step', milestones: [5] });
  rejects(VALID + 'augment: true\n', /augment: augmentation applies to image data sets only, not iris/);
  rejects(VALID + 'optimizer: { name: adam, momentum: 0.9 }\n', /spec\.yaml:\d+:\d+: optimizer: momentum applies to the sgd optimizer only/);
  rejects(images + 'schedule: { name: step, milestones: [1] }\n', /schedule: milestones must be increasing epochs from 2 on/);
  rejects(images + 'schedule: { name: cosine, milestones: [3] }\n', /schedule: milestones apply to the step schedule only/);
  rejects(images + 'earlyStopping: { monitor: val_acc }\n', /earlyStopping\.monitor: /);
});

test('parseSpec validates objects with the same rules', () => {
  assert.throws(() => parseSpec({ name: 'x', datasets: ['iris'], models: ['lstm'], activations: ['relu'], seeds: 1, epochs: 1, batchSize: 1 }), /models\[0\]: model 'lstm' does not fit data set 'iris'/);
});

test('a missing spec file is a clear error', async () => {
  await assert.rejects(loadSpecFile('/nonexistent/spec.yaml'), (e: unknown) => e instanceof UserError && /cannot read experiment spec \/nonexistent\/spec\.yaml: no such file/.test(e.message));
});

test('the grid is datasets x models x seeds x activations; keys depend on the config only', () => {
  const spec = parseSpecText(VALID, { dir: '/a' });
  const trials = planTrials(spec);
  assert.equal(trials.length, 2 * 1 * 2 * 2);
  assert.deepEqual(
    trials.slice(0, 4).map((t) => `${t.config.dataset.name}/${t.config.seed}/${t.config.activation}`),
    ['iris/1/lisht', 'iris/1/swish', 'iris/2/lisht', 'iris/2/swish'],
  );
  assert.equal(new Set(trials.map((t) => t.key)).size, trials.length, 'keys are unique');
  // Moving the data or changing what is only reported keeps the keys; training settings do not.
  const moved = planTrials(parseSpecText(VALID.replace('data/car.csv', 'elsewhere.csv').replace('0.9 }', '0.95 }'), { dir: '/b' }));
  assert.deepEqual(moved.map((t) => t.key), trials.map((t) => t.key));
  const longer = planTrials(parseSpecText(VALID.replace('epochs: 3', 'epochs: 4')));
  assert.equal(longer.filter((t) => trials.some((u) => u.key === t.key)).length, 0);
});

test('every shipped spec under experiments/ is valid and has the paper numbers beside it', async () => {
  const dir = join(REPO_ROOT, 'experiments');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.includes('iris-mlp.yaml') && files.includes('article-cifar10.yaml'), files.join(', '));
  for (const f of ['car-evaluation-mlp', 'mnist-mlp', 'mnist-resnet', 'cifar10-resnet', 'cifar100-resnet', 'sentiment140-lstm']) assert.ok(files.includes(`${f}.yaml`), f);
  for (const file of files) {
    const { spec } = await loadSpecFile(join(dir, file));
    assert.ok(spec.seeds.length >= 3, `${file}: at least 3 seeds`);
    assert.ok(spec.paper !== undefined && spec.paper.results.length >= 2, `${file}: reference numbers`);
    for (const r of spec.paper!.results) assert.ok(spec.datasets.some((d) => d.name === r.dataset), `${file}: ${r.dataset}`);
  }
});

test('a spec file relative data path is taken from its folder', async () => {
  const dir = tempDir('lisht-spec-');
  try {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir.path, 's.yaml'), VALID);
    const { spec, text } = await loadSpecFile(join(dir.path, 's.yaml'));
    assert.equal(spec.datasets[1]!.data, join(dir.path, 'data/car.csv'));
    assert.equal(text, VALID);
  } finally {
    dir.remove();
  }
});
