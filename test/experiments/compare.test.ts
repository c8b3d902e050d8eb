import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import '../../src/register.js';
import { compare } from '../../src/experiments/compare.js';
import { registerModel } from '../../src/models/registry.js';
import { loadModel } from '../../src/training/model_files.js';
import { UserError } from '../../src/errors.js';
import { useBackend } from '../helpers/backends.js';
import { cifarFixture } from './helpers/experiments.js';
import { REPO_ROOT, SHARED_DATASETS, runCli, tempDir, listTree } from '../helpers/env.js';

const SUBSET = join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz');
const skipShared = existsSync(SUBSET) ? false : `real data not found at ${SUBSET}`;

const Epoch = z.object({ epoch: z.number().int(), loss: z.number(), accuracy: z.number(), val_loss: z.number(), val_accuracy: z.number(), seconds: z.number() }).strict();
const Summary = z.object({
  dataset: z.string(),
  model: z.string(),
  backend: z.string(),
  results: z.array(z.object({ activation: z.string(), params: z.number().int(), test_accuracy: z.number(), seconds: z.number(), epochs: z.array(Epoch) }).passthrough()),
}).passthrough();

test('lisht compare on the real CIFAR-10 subset writes every file, above-chance accuracies, the documented summary', { skip: skipShared }, async () => {
  const out = tempDir('lisht-compare-');
  try {
    const r = await runCli(['compare', '--data', SUBSET, '--epochs', '1', '--limit-train', '1000', '--limit-test', '500', '--seed', '7', '--backend', 'wasm', '--out', out.path]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Backend: wasm/);
    assert.match(r.stdout, /Total params: 42,442/);
    assert.match(r.stdout, /activation +test accuracy +best val accuracy \(epoch\) +train accuracy/);
    for (const f of ['summary.json', 'accuracy-lisht.png', 'accuracy-relu.png', 'comparison.png', 'report.html', 'models/lisht/model.json', 'models/lisht/weights.bin', 'models/relu/model.json']) {
      assert.ok(existsSync(join(out.path, f)), `${f} missing`);
    }
    assert.ok(!listTree(out.path).some((f) => f.startsWith('checkpoints')), 'finished runs leave no checkpoints');
    const summary = Summary.parse(JSON.parse(readFileSync(join(out.path, 'summary.json'), 'utf8')));
    assert.deepEqual([summary.dataset, summary.model, summary.backend], ['cifar10', 'seed-cnn', 'wasm']);
    assert.deepEqual(summary.results.map((r) => r.activation), ['lisht', 'relu']);
    for (const result of summary.results) {
      assert.equal(result.params, 42442);
      assert.equal(result.epochs.length, 1);
      assert.ok(result.test_accuracy > 0.13, `${result.activation}: test accuracy ${result.test_accuracy} is not above chance`);
    }
    const html = readFileSync(join(out.path, 'report.html'), 'utf8');
    assert.match(html, /<svg/);
    assert.doesNotMatch(html, /(src|href)="https?:/);
    await useBackend('cpu');
    const model = await loadModel(join(out.path, 'models/lisht'));
    assert.equal(model.countParams(), 42442);
    assert.match(JSON.stringify(model.getLayer('conv2d').getConfig()), /"activation":"lisht"/);
  } finally {
    out.remove();
  }
});

test('bad input is refused before training, with a clear message', async () => {
  const dir = tempDir('lisht-compare-bad-');
  try {
    const data = cifarFixture(dir.path);
    writeFileSync(join(dir.path, 'a-file'), 'x');
    writeFileSync(join(dir.path, 'bad.tar.gz'), 'not an archive');
    const cases: [string[], RegExp][] = [
      [['--activations', 'lisht,relu7'], /unknown activation 'relu7'/],
      [['--model', 'vgg99'], /unknown model 'vgg99'/],
      [['--dataset', 'imagenet'], /imagenet/],
      [['--epochs', '0'], /--epochs.*positive integer.*'0'/],
      [['--batch-size', '-3'], /--batch-size.*positive integer/],
      [['--data', join(dir.path, 'missing.tar.gz')], /missing\.tar\.gz/],
      [['--data', join(dir.path, 'bad.tar.gz')], /bad\.tar\.gz/],
      [['--out', join(dir.path, 'a-file', 'run')], /cannot create folder .*a-file\/run: .*a-file is not a folder/],
    ];
    for (const [flags, message] of cases) {
      const out = join(dir.path, `out-${flags[0].slice(2)}`);
      const args = ['compare', '--data', data, '--epochs', '1', '--backend', 'cpu', '--out', out, ...flags];
      const r = await runCli(args);
      assert.notEqual(r.code, 0, `${flags.join(' ')} should fail`);
      assert.match(r.stderr, message, `${flags.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /Epoch 1/, `${flags.join(' ')} trained before failing`);
      assert.doesNotMatch(r.stderr, /^\s+at /m, `${flags.join(' ')} printed a stack trace`);
    }
  } finally {
    dir.remove();
  }
});

test('a model whose loss becomes NaN fails with epoch and step; the others still run', async () => {
  registerModel({
    name: 'nan-on-tanh',
    description: 'test model: NaN weights when the activation is tanh',
    accepts: ['image'],
    build: ({ inputShape, numClasses, activation }) =>
      tfl.sequential({
        layers: [
          tfl.layers.flatten({ inputShape }),
          tfl.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: activation === 'tanh' ? tfl.initializers.constant({ value: NaN }) : 'glorotUniform' }),
        ],
      }),
  });
  const dir = tempDir('lisht-compare-nan-');
  try {
    const summary = await compare({ data: cifarFixture(dir.path), model: 'nan-on-tanh', activations: ['tanh', 'relu'], epochs: 2, batchSize: 25, seed: 1, backend: 'cpu', out: join(dir.path, 'out') });
    assert.equal(summary.results[0].status, 'failed');
    assert.match(summary.results[0].error ?? '', /loss became NaN at epoch 1, step 1/);
    assert.equal(summary.results[1].status, 'done');
    assert.equal(summary.results[1].epochs.length, 2);
    assert.equal(summary.status, 'done');
  } finally {
    dir.remove();
  }
});

test('compare validates options as a library function too', async () => {
  await assert.rejects(compare({ epochs: -1 }), (e: unknown) => e instanceof UserError && /epochs/.test(e.message));
  await assert.rejects(compare({ activations: [] }), (e: unknown) => e instanceof UserError && /activations/.test(e.message));
});

test('Ctrl-C writes what was measured; --resume finishes exactly like an uninterrupted run', async () => {
  const dir = tempDir('lisht-compare-int-');
  try {
    const data = cifarFixture(dir.path);
    const common = ['--data', data, '--activations', 'relu', '--epochs', '3', '--batch-size', '10', '--seed', '5', '--backend', 'wasm'];
    const straight = await runCli(['compare', ...common, '--out', join(dir.path, 'straight')]);
    assert.equal(straight.code, 0, straight.stderr);

    const out = join(dir.path, 'interrupted');
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/src/cli/main.js'), 'compare', ...common, '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (/Epoch 1\/3/.test(stdout) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', resolve);
    });
    assert.equal(code, 130, stdout);
    const partial = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(partial.status, 'interrupted');
    assert.ok(partial.results[0].epochs.length >= 1 && partial.results[0].epochs.length < 3);
    assert.match(stdout, /--resume/);

    const resumed = await runCli(['compare', '--resume', out]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const a = JSON.parse(readFileSync(join(dir.path, 'straight', 'summary.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(b.status, 'done');
    const metrics = (s: { results: { epochs: { loss: number; accuracy: number; val_accuracy: number }[]; test_accuracy: number }[] }) =>
      s.results.map((r) => ({ test: r.test_accuracy, epochs: r.epochs.map((e) => [e.loss, e.accuracy, e.val_accuracy]) }));
    assert.deepEqual(metrics(b), metrics(a));
  } finally {
    dir.remove();
  }
});


test('issue 12: lisht results and lisht report on a compare run folder give the test accuracies of its summary.json', { skip: skipShared }, async () => {
  const out = tempDir('lisht-compare-store-');
  try {
    const r = await runCli(['compare', '--data', SUBSET, '--epochs', '2', '--limit-train', '500', '--limit-test', '200', '--seed', '7', '--backend', 'wasm', '--out', out.path]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(existsSync(join(out.path, 'results.db')), 'the run folder holds its results store');
    const summary = Summary.parse(JSON.parse(readFileSync(join(out.path, 'summary.json'), 'utf8')));
    const expected = Object.fromEntries(summary.results.map((x) => [x.activation, x.test_accuracy]));
    assert.equal(Object.keys(expected).length, 2);

    const results = await runCli(['results', out.path, '--format', 'json']);
    assert.equal(results.code, 0, results.stderr);
    const rows = z.array(z.object({ activation: z.string(), n: z.number(), accuracies: z.array(z.number()) }).passthrough()).parse(JSON.parse(results.stdout));
    assert.deepEqual(Object.fromEntries(rows.map((x) => [x.activation, x.accuracies])), Object.fromEntries(Object.entries(expected).map(([a, v]) => [a, [v]])));

    const report = await runCli(['report', out.path]);
    assert.equal(report.code, 0, report.stderr);
    const reported = z.array(z.object({ activation: z.string(), accuracies: z.array(z.number()) }).passthrough()).parse(JSON.parse(readFileSync(join(out.path, 'report', 'results.json'), 'utf8')));
    assert.deepEqual(Object.fromEntries(reported.map((x) => [x.activation, x.accuracies])), Object.fromEntries(Object.entries(expected).map(([a, v]) => [a, [v]])));

    const both = await runCli(['results', out.path, '--db', join(out.path, 'results.db')]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /not both/);
    const notRun = await runCli(['results', join(out.path, 'models')]);
    assert.equal(notRun.code, 66);
    assert.match(notRun.stderr, /has no results\.db/);
  } finally {
    out.remove();
  }
});
