import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/register.js';
import { compare } from '../../src/experiments/compare.js';
import type { CompareOptions } from '../../src/experiments/compare_options.js';
import { UserError } from '../../src/errors.js';
import type { CompareSummary } from '../../src/experiments/compare_types.js';
import { cifar10Fixture, tarGz, tweetRow, writeMnistFolder, writeZip } from '../helpers/archives.js';
import { runCli, SHARED_DATASETS, tempDir } from '../helpers/env.js';

const IRIS = join(SHARED_DATASETS, 'iris-sklearn.csv');
const skipIris = existsSync(IRIS) ? false : `real data not found at ${IRIS}`;

const readSummary = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as CompareSummary;

test('lisht summary prints every model with the input shape and classes of its data set', async () => {
  const cases: [string[], RegExp[]][] = [
    [['--model', 'resnet-20'], [/Model: "resnet20_lisht"/, /Total params: 271,098\n/, /Trainable params: 269,722\n/, /dense \(Dense\) +\(None, 10\) +650/]],
    [['--model', 'resnet-164', '--activation', 'relu'], [/Total params: 1,727,482\n/, /Trainable params: 1,703,258\n/]],
    [['--model', 'resnet-56', '--dataset', 'mnist', '--activation', 'prelu'], [/conv1 \(Conv2D\) +\(None, 28, 28, 16\) +144/, /PReLU/]],
    [['--model', 'mlp', '--dataset', 'iris', '--hidden-units', '8,8'], [/Total params: 139\n/]],
    [['--model', 'lstm'], [/Model: "lstm_lisht"/, /Total params: 2,692,098\n/, /embedding \(Embedding\) +\(None, 40, 128\) +2,560,256/]],
  ];
  for (const [args, patterns] of cases) {
    const r = await runCli(['summary', ...args]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    for (const p of patterns) assert.match(r.stdout, p, args.join(' '));
  }
});

test('lisht summary refuses models that do not fit, unknown depths and PReLU in an LSTM', async () => {
  const cases: [string[], RegExp][] = [
    [['--model', 'resnet-21'], /unknown ResNet depth 21; valid depths: 20, 56, 110, 164/],
    [['--model', 'resnet-20', '--dataset', 'car-evaluation'], /does not fit data set 'car-evaluation' \(tabular data; it takes image\)/],
    [['--model', 'lstm', '--activation', 'prelu'], /lstm cannot use 'prelu'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['summary', ...args]);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
});

test('lisht compare refuses bad training flags before loading any data, naming the flag', async () => {
  const dir = tempDir('lisht-models-bad-');
  try {
    // A data path that does not exist: an error about it would mean the data were read first.
    const missing = join(dir.path, 'missing.tar.gz');
    const cases: [string[], RegExp][] = [
      [['--model', 'lstm'], /model 'lstm' does not fit data set 'cifar10' \(image data; it takes text\)/],
      [['--lr', '0'], /--lr.*expected a positive number, got '0'/],
      [['--optimizer', 'sgd', '--momentum', '1'], /--momentum.*from 0 up to \(not including\) 1, got '1'/],
      [['--momentum', '0.5'], /invalid option momentum \(--momentum\): applies to optimizer 'sgd' only/],
      [['--weight-decay', '-0.1'], /--weight-decay.*expected a number >= 0, got '-0.1'/],
      [['--optimizer', 'rmsprop'], /--optimizer.*'rmsprop'.*adam, sgd/],
      [['--schedule', 'linear'], /--schedule.*'linear'.*none, step, cosine/],
      [['--hidden-units', '64,0'], /--hidden-units.*positive integers/],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['compare', '--data', missing, '--epochs', '1', '--backend', 'cpu', '--out', join(dir.path, 'out'), ...flags]);
      assert.notEqual(r.code, 0, `${flags.join(' ')} should fail`);
      assert.match(r.stderr, message, `${flags.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /missing\.tar\.gz/, `${flags.join(' ')} read the data first`);
      assert.doesNotMatch(r.stderr, /^\s+at /m, `${flags.join(' ')} printed a stack trace`);
    }
  } finally {
    dir.remove();
  }
});

test('compare (the library) refuses models that do not fit and bad option combinations before loading data', async () => {
  const dir = tempDir('lisht-models-bad-lib-');
  try {
    const base = { data: join(dir.path, 'missing.tar.gz'), epochs: 1, backend: 'cpu', out: join(dir.path, 'out') };
    const cases: [CompareOptions, RegExp][] = [
      [{ model: 'resnet-21' }, /unknown ResNet depth 21; valid depths: 20, 56, 110, 164/],
      [{ dataset: 'iris', model: 'resnet-20' }, /model 'resnet-20' does not fit data set 'iris'/],
      [{ dataset: 'sentiment140', activations: ['lisht', 'prelu'] }, /lstm cannot use 'prelu'/],
      [{ lr: -1 }, /invalid option lr \(--lr\)/],
      [{ optimizer: 'sgd', momentum: 1 }, /invalid option momentum \(--momentum\)/],
      [{ weightDecay: -1 }, /invalid option weightDecay \(--weight-decay\)/],
      [{ milestones: [5] }, /invalid option milestones \(--milestones\): apply to schedule 'step' only/],
      [{ schedule: 'step', milestones: [5, 3] }, /milestones \(--milestones\): must increase, got 5, 3/],
      [{ hiddenUnits: [64] }, /--hidden-units applies to model 'mlp' only, not 'seed-cnn'/],
      [{ dataset: 'iris', augment: true }, /--augment \(pad, random crop, flip\) applies to images; iris holds tabular data/],
      [{ fromTestSet: true }, /--from-test-set applies to mnist and fashion-mnist only, not cifar10/],
      [{ earlyStoppingMonitor: 'val_accuracy' }, /earlyStoppingMonitor \(--early-stopping-monitor\): needs earlyStopping/],
      [{ earlyStopping: -1 }, /invalid option earlyStopping \(--early-stopping\)/],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(compare({ ...base, ...options }), (e: unknown) => e instanceof UserError && message.test(e.message) && !/missing\.tar\.gz/.test(e.message), JSON.stringify(options));
    }
  } finally {
    dir.remove();
  }
});

test('lisht compare on real Iris picks the MLP by default and learns it', { skip: skipIris }, async () => {
  const out = tempDir('lisht-models-iris-');
  try {
    const r = await runCli(['compare', '--dataset', 'iris', '--data', IRIS, '--activations', 'lisht', '--epochs', '40', '--batch-size', '16', '--seed', '1', '--backend', 'wasm', '--out', out.path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Model: "mlp_lisht"/);
    const summary = readSummary(out.path);
    assert.equal(summary.model, 'mlp');
    assert.ok(summary.results[0].test_accuracy! >= 0.8, `test accuracy ${summary.results[0].test_accuracy}`);
  } finally {
    out.remove();
  }
});

test('MNIST from the official test set only: refused without --from-test-set, split and said so with it', async () => {
  const dir = tempDir('lisht-models-mnist-');
  try {
    writeMnistFolder(join(dir.path, 'mnist'), { onlyTest: true, test: 50 });
    const common = ['compare', '--dataset', 'mnist', '--data', join(dir.path, 'mnist'), '--epochs', '1', '--batch-size', '10', '--seed', '2', '--backend', 'wasm', '--activations', 'relu'];
    const without = await runCli([...common, '--out', join(dir.path, 'a')]);
    assert.notEqual(without.code, 0);
    assert.match(without.stderr, /only the official test set.*--from-test-set/);
    const r = await runCli([...common, '--from-test-set', '--out', join(dir.path, 'b')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /split: stratified split of the official test set only: 20% test, seed 42/);
    const summary = readSummary(join(dir.path, 'b'));
    assert.deepEqual([summary.model, summary.train_count, summary.test_count], ['mlp', 40, 10]);
    assert.deepEqual(summary.split, { method: 'stratified', from: 'official-test', testFraction: 0.2, seed: 42 });
    assert.equal(summary.options.fromTestSet, true);
    assert.match(readFileSync(join(dir.path, 'b', 'report.html'), 'utf8'), /stratified split of the official test set only/);
  } finally {
    dir.remove();
  }
});

test('Sentiment140 trains the LSTM by default, its embedding sized by the loaded vocabulary', async () => {
  const dir = tempDir('lisht-models-tweets-');
  try {
    const words = ['good', 'bad', 'day', 'news', 'so', 'awful', 'great', 'fun'];
    const train = Array.from({ length: 40 }, (_, i) => tweetRow(i % 2 === 0 ? 0 : 4, i, `${words[(i * 3) % 8]} ${i % 2 === 0 ? 'bad awful' : 'good great'} ${words[i % 8]}`));
    const test = Array.from({ length: 10 }, (_, i) => tweetRow(i % 2 === 0 ? 0 : 4, 100 + i, i % 2 === 0 ? 'so bad' : 'good fun'));
    const zip = join(dir.path, 'trainingandtestdata.zip');
    await writeZip(zip, { 'training.1600000.processed.noemoticon.csv': train.join('\r\n'), 'testdata.manual.2009.06.14.csv': test.join('\r\n') });
    const r = await runCli(['compare', '--dataset', 'sentiment140', '--data', zip, '--activations', 'lisht,tanh', '--epochs', '1', '--batch-size', '8', '--seed', '3', '--backend', 'wasm', '--out', join(dir.path, 'out')]);
    assert.equal(r.code, 0, r.stderr);
    const summary = readSummary(join(dir.path, 'out'));
    assert.equal(summary.model, 'lstm');
    assert.deepEqual(summary.results.map((x) => [x.activation, x.status, x.epochs.length]), [['lisht', 'done', 1], ['tanh', 'done', 1]]);
    // 8 words + <pad> + <oov> = 10 ids of 128 numbers.
    assert.match(r.stdout, /embedding \(Embedding\) +\(None, 40, 128\) +1,280\n/);
  } finally {
    dir.remove();
  }
});

test('SGD, step schedule, augmentation and early stopping: recorded, reported, and resumed exactly', async () => {
  const dir = tempDir('lisht-models-sgd-');
  try {
    const data = join(dir.path, 'cifar-10-binary.tar.gz');
    writeFileSync(data, tarGz(cifar10Fixture({ perBatch: [12, 12, 12, 12, 12], test: 20 }).entries));
    const options = {
      data,
      model: 'mlp',
      hiddenUnits: [32],
      activations: ['lisht'],
      epochs: 3,
      batchSize: 20,
      seed: 4,
      backend: 'wasm',
      optimizer: 'sgd' as const,
      lr: 0.05,
      weightDecay: 5e-4,
      schedule: 'step' as const,
      milestones: [3],
      augment: true,
      earlyStopping: 5,
    };
    const straight = await compare({ ...options, out: join(dir.path, 'straight') });
    assert.deepEqual(
      {
        optimizer: straight.options.optimizer,
        lr: straight.options.lr,
        momentum: straight.options.momentum,
        weightDecay: straight.options.weightDecay,
        schedule: straight.options.schedule,
        milestones: straight.options.milestones,
        augment: straight.options.augment,
        earlyStopping: straight.options.earlyStopping,
      },
      { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4, schedule: 'step', milestones: [3], augment: true, earlyStopping: { monitor: 'val_loss', patience: 5 } },
    );
    const html = readFileSync(join(dir.path, 'straight', 'report.html'), 'utf8');
    for (const text of ['SGD (learning rate 0.05, momentum 0.9, weight decay 0.0005 (L2, coupled))', 'step: x0.1 from epochs 3', '4-pixel zero pad, random crop, random horizontal flip', 'val_loss, patience 5']) {
      assert.ok(html.includes(text), `report lacks ${text}`);
    }

    // Interrupted after the first epoch, then resumed from its folder.
    const controller = new AbortController();
    const out = join(dir.path, 'resumed');
    const partial = await compare({ ...options, out }, { signal: controller.signal, callbacks: () => [{ onEpochEnd: (epoch) => void (epoch === 0 && controller.abort()) }] });
    assert.equal(partial.status, 'interrupted');
    assert.equal(partial.results[0].epochs.length, 1);
    const resumed = await compare({ resume: out });
    const metrics = (s: CompareSummary) => s.results.map((r) => r.epochs.map((e) => [e.loss, e.accuracy, e.val_loss, e.val_accuracy]));
    assert.equal(resumed.status, 'done');
    assert.deepEqual(metrics(resumed), metrics(straight));
  } finally {
    dir.remove();
  }
});

test("runs written before the training options existed resume with the article's Adam", async () => {
  const dir = tempDir('lisht-models-legacy-');
  try {
    const data = join(dir.path, 'cifar-10-binary.tar.gz');
    writeFileSync(data, tarGz(cifar10Fixture({ perBatch: [4, 4, 4, 4, 4], test: 10 }).entries));
    const out = join(dir.path, 'out');
    const controller = new AbortController();
    controller.abort();
    await compare({ data, model: 'mlp', hiddenUnits: [8], activations: ['relu'], epochs: 1, batchSize: 10, seed: 1, backend: 'cpu', out }, { signal: controller.signal });
    // Strip what older versions did not write.
    const summary = readSummary(out) as unknown as { options: Record<string, unknown> };
    for (const key of ['optimizer', 'lr', 'momentum', 'weightDecay', 'schedule', 'milestones', 'augment', 'earlyStopping', 'fromTestSet']) delete summary.options[key];
    writeFileSync(join(out, 'summary.json'), JSON.stringify(summary));
    const resumed = await compare({ resume: out });
    assert.equal(resumed.status, 'done');
    assert.deepEqual([resumed.options.optimizer, resumed.options.lr, resumed.options.schedule, resumed.options.augment], ['adam', 0.001, 'none', false]);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /Adam \(learning rate 0\.001, epsilon 1e-7\)/);
  } finally {
    dir.remove();
  }
});
