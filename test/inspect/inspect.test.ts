import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '../../src/register.js';
import { compare } from '../../src/experiments/compare.js';
import { UserError } from '../../src/errors.js';
import { inspect, resolveInspectOptions } from '../../src/inspect/inspect.js';
import { inspectSections } from '../../src/inspect/report.js';
import type { CompareSummary } from '../../src/experiments/compare_types.js';
import { getModel } from '../../src/models/registry.js';
import { loadModel } from '../../src/training/model_files.js';
import { cifar10Fixture, tarGz } from '../helpers/archives.js';
import { runCli, tempDir } from '../helpers/env.js';

/** A finished two-activation compare run on a tiny CIFAR-10 archive (wasm: seed-cnn is slow on cpu). */
async function tinyRun(dir: string): Promise<string> {
  const data = join(dir, 'cifar-10-binary.tar.gz');
  writeFileSync(data, tarGz(cifar10Fixture({ perBatch: [12, 12, 12, 12, 12], test: 10 }).entries));
  const out = join(dir, 'run');
  await compare({ data, activations: ['lisht', 'relu'], epochs: 2, batchSize: 20, seed: 5, backend: 'wasm', out });
  return out;
}

const PNG = /^\x89PNG/;

test('compare records gradient flow and initial weights; inspect writes every picture and the report sections', async () => {
  const dir = tempDir('lisht-inspect-');
  try {
    const run = await tinyRun(dir.path);
    const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as CompareSummary;
    for (const r of summary.results) {
      assert.deepEqual(r.gradient_flow?.map((g) => g.epoch), [0, 1, 2], `${r.activation}: a record before training and after each epoch`);
      assert.deepEqual(r.gradient_flow![0]!.layers.map((l) => l.layer), ['conv2d', 'conv2d_1', 'dense']);
      assert.equal(r.gradient_flow![0]!.probe_size, 60);
      assert.ok(existsSync(join(run, 'models', r.activation, 'initial', 'model.json')), 'initial weights saved');
    }
    // Before inspect, the compare report already has the gradient-flow section.
    const before = readFileSync(join(run, 'report.html'), 'utf8');
    assert.match(before, /<h2>[^<]*gradient flow<\/h2>/i);
    assert.doesNotMatch(before, /<h2>Loss landscape<\/h2>/);

    const events: string[] = [];
    const data = await inspect({ run, grid: 3, subset: 40, images: 2, backend: 'wasm' }, { onEvent: (e) => events.push(e.type) });
    assert.ok(events.includes('outputs'));
    assert.deepEqual(data.activations.map((a) => a.activation), ['lisht', 'relu']);
    assert.equal(data.subset, 40);
    assert.equal(data.seed, 5, "directions default to the run's seed");
    for (const a of data.activations) {
      assert.equal(a.initial_weights, 'saved');
      assert.deepEqual(a.weights.map((w) => w.layer), ['conv2d', 'conv2d_1', 'dense']);
      for (const w of a.weights) {
        assert.equal(w.initial.reduce((s, n) => s + n, 0), w.count);
        assert.equal(w.trained.reduce((s, n) => s + n, 0), w.count);
      }
      assert.deepEqual(a.feature_maps, [
        { layer: 'conv2d', channels: 32, height: 30, width: 30 },
        { layer: 'conv2d_1', channels: 64, height: 13, width: 13 },
      ]);
      assert.equal(a.landscape_1d.loss.length, 3);
      assert.deepEqual(a.landscape_2d.x, [-1, 0, 1]);
      assert.ok(a.landscape_2d.loss.flat().every((v) => v !== null && v > 0));
      // The surface's centre is the trained model, the line's end too.
      assert.ok(Math.abs(a.landscape_2d.loss[1]![1]! - a.landscape_1d.loss[2]!) < 1e-5);
    }
    // Same scales for every activation: same histogram bins per layer.
    assert.deepEqual(data.activations[0]!.weights.map((w) => w.edges), data.activations[1]!.weights.map((w) => w.edges));
    assert.ok(data.scales.loss_2d !== null && data.scales.contour_levels.length > 0);
    const files = ['weights-lisht.png', 'weights-relu.png', 'feature-maps-lisht.png', 'feature-maps-relu.png', 'landscape-1d.png', 'landscape-2d-lisht.png', 'landscape-2d-relu.png', 'gradient-flow.png'];
    for (const f of files) assert.match(readFileSync(join(run, 'inspect', f)).subarray(0, 4).toString('latin1'), PNG, f);
    const json = JSON.parse(readFileSync(join(run, 'inspect', 'inspect.json'), 'utf8'));
    assert.equal(json.grid, 3);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    for (const h of ['Weight distributions', 'Activation maps', 'Loss landscape']) assert.match(html, new RegExp(`<h2>${h}</h2>`), h);
    assert.match(html, /<h2>[^<]*gradient flow<\/h2>/i, 'gradient flow, from the store');
    assert.equal((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 7, 'the six per-activation pictures and the 1-D line');
    assert.match(html, /<h2>Results<\/h2>/, 'the compare sections are still there');

    // A run from before initial weights were saved: rebuilt from the seed, the very same weights.
    const initialDir = join(run, 'models', 'relu', 'initial');
    const saved = await loadModel(initialDir);
    const rebuilt = getModel('seed-cnn').build({ inputShape: [32, 32, 3], numClasses: 10, activation: 'relu', seed: 5 });
    saved.getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), rebuilt.getWeights()[i]!.dataSync()));
    tf.dispose([saved, rebuilt].flatMap((m) => m.getWeights()));
    renameSync(initialDir, join(dir.path, 'moved-initial'));
    const old = await inspect({ run, grid: 3, subset: 20, images: 0, activations: ['relu'], backend: 'wasm' });
    assert.equal(old.activations[0]!.initial_weights, 'rebuilt-from-seed');
    assert.ok(Math.abs(old.activations[0]!.landscape_1d.loss[0]! - data.activations[1]!.landscape_1d.loss[0]!) < 0.5, 'a loss of the same initial model');
    assert.deepEqual(old.activations[0]!.feature_maps, [], '--images 0: no activation maps');
  } finally {
    dir.remove();
  }
});

test('compare with gradientFlow off records none, and its report has no gradient-flow section', async () => {
  const dir = tempDir('lisht-inspect-off-');
  try {
    const data = join(dir.path, 'cifar-10-binary.tar.gz');
    writeFileSync(data, tarGz(cifar10Fixture({ perBatch: [4, 4, 4, 4, 4], test: 4 }).entries));
    const out = join(dir.path, 'run');
    const summary = await compare({ data, activations: ['relu'], epochs: 1, batchSize: 10, seed: 1, backend: 'wasm', out, gradientFlow: false });
    assert.equal(summary.results[0]!.gradient_flow, undefined);
    assert.equal(summary.options.gradientFlow, false);
    assert.doesNotMatch(readFileSync(join(out, 'report.html'), 'utf8'), /Gradient flow/);
  } finally {
    dir.remove();
  }
});

test('inspectSections is empty for a run on which inspect has not run', async () => {
  assert.deepEqual(await inspectSections('/nonexistent'), []);
});

test('bad input: unknown folder, not a run, no saved models, unknown activation, grid below 3', async () => {
  const dir = tempDir('lisht-inspect-bad-');
  try {
    const reject = (options: Parameters<typeof inspect>[0], message: RegExp) =>
      assert.rejects(inspect({ backend: 'cpu', ...options }), (err: unknown) => err instanceof UserError && message.test(err.message), String(message));
    await reject({ run: join(dir.path, 'missing') }, /no run folder/);
    mkdirSync(join(dir.path, 'empty'));
    await reject({ run: join(dir.path, 'empty') }, /has no results\.db: it is not a compare run folder/);
    const run = await tinyRun(dir.path);
    await reject({ run, activations: ['gelu'] }, /experiment compare has no activation gelu; it has lisht, relu/);
    await reject({ run, grid: 2 }, /--grid must be an integer of at least 3, got 2/);
    await reject({ run, subset: 0 }, /--subset/);
    await reject({ run, range: -1 }, /--range/);
    assert.throws(() => resolveInspectOptions({ run: 'x', grid: 2.5 }), /--grid/);
    rmSync(join(run, 'models', 'lisht'), { recursive: true });
    await reject({ run }, /trial \d+ \(lisht\) of .*run has no saved model in .*run\/models\//);
  } finally {
    rmSync(dir.path, { recursive: true, force: true });
  }
});

test('lisht inspect reports bad input as a one-line error, exit status 2 (66: no such database)', async () => {
  const dir = tempDir('lisht-inspect-cli-');
  try {
    for (const [args, message, code] of [
      [[join(dir.path, 'nope')], /lisht: error: no run folder/],
      [[dir.path, '--grid', '2'], /lisht: error: --grid must be an integer of at least 3, got 2/],
      [[], /lisht: error: give one of: a compare run folder, or --db with --out/],
      [[dir.path, '--db', 'r.db'], /lisht: error: give one of: a compare run folder, or --db with --out/],
      [['--db', 'r.db'], /lisht: error: --db needs --out/],
      [[dir.path, '--trial-seed', '2'], /lisht: error: --trial-seed only go with --db/],
      [['--db', join(dir.path, 'missing.db'), '--out', join(dir.path, 'o')], /lisht: error: cannot open database .*missing\.db/, 66],
    ] as const) {
      const r = await runCli(['inspect', ...args, '--backend', 'cpu']);
      assert.equal(r.code, code ?? 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    }
  } finally {
    dir.remove();
  }
});
