/**
 * Issue 21 item 2: wasm trains in a page through the public API, with every common bundler.
 * `npm pack`, the tarball extracted into a fresh project's node_modules/lisht (its
 * dependencies linked from this repository's node_modules, as a flat install would place
 * them), one page as a user writes it (PAGE below: the three browser backends imported,
 * `selectBackend` and `trainStep` from 'lisht'), bundled by esbuild, Vite and webpack, served
 * from 127.0.0.1 and run in headless Chromium on SwiftShader: three SGD steps of the seed CNN
 * on wasm, webgl and webgpu, then one step of tfjs-layers' `model.fit`, from the same weights
 * and batch as Node's cpu reference run.
 * Stock wasm cannot take these steps at all (no Conv2DBackpropFilter): `selectBackend('wasm')`
 * registers this package's training kernels.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { extract } from 'tar';
import { buildSeedCnn, trainStep } from '../../src/index.js';
import { serveFile, skipNoChromium, startBrowser, type BrowserSession } from '../helpers/browser.js';
import { REPO_ROOT, tempDir } from '../helpers/env.js';
import type { Handler } from '../helpers/http-server.js';
import { lcgValues } from '../helpers/kernels.js';

const BATCH = 8;
const STEPS = 3;
/** Plain SGD, large enough that each step moves the loss by several per cent. */
const LEARNING_RATE = 0.5;
/**
 * Node's cpu backend and the page's backends sum in other orders (GPU reductions, XNNPACK,
 * im2col): float32 rounding. Measured here: all three gave Node's float32 losses exactly
 * (at a learning rate of 0.1, webgl and webgpu on SwiftShader were 1e-7 apart at step 3). A wrong or missing gradient
 * (a kernel off by a factor, a transposed filter) moves the later losses by far more.
 */
const LOSS_RTOL = 1e-5;
const BACKENDS = ['wasm', 'webgl', 'webgpu'] as const;
const WASM_DIR = join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

/** The page, as a user writes it. */
const PAGE = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { buildSeedCnn, selectBackend, trainStep } from 'lisht';

setWasmPaths('/wasm/');
globalThis.lishtTrain = async (backend, input) => {
  // Stock wasm has no Conv2DBackpropFilter: selectBackend('wasm') registers this package's.
  const hadFilterGrad = tf.getKernel('Conv2DBackpropFilter', backend) !== undefined;
  await selectBackend(backend);
  const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation: 'lisht', seed: 1 });
  model.setWeights(input.weights.map((w, i) => tf.tensor(w, input.shapes[i])));
  const x = tf.tensor4d(input.images, [input.labels.length, 32, 32, 3]);
  const y = tf.tensor1d(input.labels, 'int32');
  const optimizer = tf.train.sgd(input.learningRate);
  const vars = model.trainableWeights.map((w) => w.read());
  const losses = [];
  for (let i = 0; i < input.steps; i++) losses.push((await trainStep(model, optimizer, vars, x, y)).loss);
  // And tfjs-layers' own model.fit, where the issue saw wasm fail: one more step.
  model.compile({ optimizer: tf.train.sgd(input.learningRate), loss: 'categoricalCrossentropy' });
  const history = await model.fit(x, tf.oneHot(y, 10), { epochs: 1, batchSize: input.labels.length, shuffle: false, verbose: 0 });
  return { backend: tf.getBackend(), losses, fitLoss: history.history.loss[0], hadFilterGrad };
};
`;

interface TrainingInput {
  weights: number[][];
  shapes: number[][];
  images: number[];
  labels: number[];
  learningRate: number;
  steps: number;
}

/** What the page's lishtTrain resolves to. */
interface PageRun {
  backend: string;
  losses: number[];
  fitLoss: number;
  hadFilterGrad: boolean;
}

/** The same steps in Node on cpu: the reference; the last loss is model.fit's. */
async function nodeLosses(input: TrainingInput): Promise<number[]> {
  const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation: 'lisht', seed: 1 });
  model.setWeights(input.weights.map((w, i) => tf.tensor(w, input.shapes[i])));
  const x = tf.tensor4d(input.images, [input.labels.length, 32, 32, 3]);
  const y = tf.tensor1d(input.labels, 'int32');
  const optimizer = tf.train.sgd(input.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses: number[] = [];
  for (let i = 0; i < input.steps; i++) losses.push((await trainStep(model, optimizer, vars, x, y)).loss);
  model.compile({ optimizer: tf.train.sgd(input.learningRate), loss: 'categoricalCrossentropy' });
  const history = await model.fit(x, tf.oneHot(y, 10), { epochs: 1, batchSize: input.labels.length, shuffle: false, verbose: 0 });
  losses.push(history.history.loss[0] as number);
  return losses;
}

/** Weights of the seed CNN as built in Node (seeded), and a deterministic batch. */
function trainingInput(): TrainingInput {
  const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation: 'lisht', seed: 1 });
  const weights = model.getWeights();
  const input = {
    weights: weights.map((w) => Array.from(w.dataSync())),
    shapes: weights.map((w) => w.shape),
    images: Array.from(lcgValues(BATCH * 32 * 32 * 3, 11), (v) => (v + 1) / 2),
    labels: Array.from({ length: BATCH }, (_, i) => (i * 3) % 10),
    learningRate: LEARNING_RATE,
    steps: STEPS,
  };
  model.dispose();
  return input;
}

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };

/** Every file under `dir` at its path, the wasm backend's binaries at /wasm/. */
function staticRoutes(dir: string): Record<string, Handler> {
  const routes: Record<string, Handler> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else routes[`/${relative(dir, path)}`] = serveFile(path, CONTENT_TYPES[extname(name)] ?? 'application/octet-stream');
    }
  };
  walk(dir);
  routes['/'] = routes['/index.html']!;
  for (const f of readdirSync(WASM_DIR).filter((f) => f.endsWith('.wasm'))) routes[`/wasm/${f}`] = serveFile(join(WASM_DIR, f), 'application/wasm');
  return routes;
}

type Bundler = (project: string, out: string) => Promise<void>;

/** A module page, for the bundlers that emit only scripts. */
const moduleIndex = (script: string) => `<!doctype html><meta charset="utf-8"><script type="module" src="/${script}"></script>`;

const BUNDLERS: Record<string, Bundler> = {
  async esbuild(project, out) {
    const esbuild = await import('esbuild');
    // --splitting: the wasm training kernels, imported when wasm is chosen, become their own chunk.
    await esbuild.build({ entryPoints: [join(project, 'main.js')], absWorkingDir: project, bundle: true, splitting: true, format: 'esm', platform: 'browser', outdir: out, logLevel: 'error' });
    writeFileSync(join(out, 'index.html'), moduleIndex('main.js'));
  },
  async vite(project, out) {
    const { build } = await import('vite');
    writeFileSync(join(project, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>');
    await build({ root: project, configFile: false, logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
  },
  async webpack(project, out) {
    const { default: webpack } = await import('webpack');
    // Production mode as users ship, without minification, which only costs time here.
    const compiler = webpack({ mode: 'production', context: project, entry: './main.js', output: { path: out, filename: 'main.js', publicPath: '/' }, optimization: { minimize: false }, performance: { hints: false } });
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) => compiler.run((err, s) => (err ? reject(err) : resolve(s!))));
    await new Promise((resolve) => compiler.close(resolve));
    if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
    writeFileSync(join(out, 'index.html'), `<!doctype html><meta charset="utf-8"><script src="/main.js"></script>`);
  },
};

describe('issue 21: the seed CNN trains in a bundled page on wasm, webgl and webgpu, as in Node', { skip: skipNoChromium, timeout: 20 * 60_000 }, () => {
  const dir = tempDir('lisht-bundlers-');
  const project = join(dir.path, 'project');
  let input: TrainingInput;
  let reference: number[] = [];

  before(async () => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir.path], { cwd: REPO_ROOT, encoding: 'utf8' })) as { filename: string }[];
    const target = join(project, 'node_modules', 'lisht');
    mkdirSync(target, { recursive: true });
    await extract({ file: join(dir.path, packed[0]!.filename), cwd: target, strip: 1 });
    // The dependencies a flat install would put beside it; the bundlers resolve them there.
    for (const name of readdirSync(join(REPO_ROOT, 'node_modules'))) {
      if (name === 'lisht' || name.startsWith('.')) continue;
      symlinkSync(join(REPO_ROOT, 'node_modules', name), join(project, 'node_modules', name), 'dir');
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'lisht-page', private: true, type: 'module' }));
    writeFileSync(join(project, 'main.js'), PAGE);
    await tf.setBackend('cpu');
    input = trainingInput();
    reference = await nodeLosses(input);
  });
  after(() => dir.remove());

  it('the reference run trains: the loss moves', () => {
    assert.equal(reference.length, STEPS + 1);
    assert.ok(Math.abs(reference[0]! - reference[STEPS - 1]!) > 0.03 * reference[0]!, `the loss barely moved: ${reference}`);
  });

  for (const [bundler, bundle] of Object.entries(BUNDLERS)) {
    it(`${bundler}: the page trains 3 steps and a model.fit step on ${BACKENDS.join(', ')} with Node cpu's losses`, async (t) => {
      const out = join(dir.path, `out-${bundler}`);
      await bundle(project, out);
      let session: BrowserSession | undefined;
      try {
        session = await startBrowser(staticRoutes(out));
        for (const backend of BACKENDS) {
          const page = await session.open('globalThis.lishtTrain !== undefined');
          try {
            const result: PageRun = await page.evaluate(([b, i]: readonly [string, TrainingInput]) => (globalThis as unknown as { lishtTrain(b: string, i: TrainingInput): Promise<PageRun> }).lishtTrain(b, i), [backend, input] as const);
            const got = { ...result, losses: [...result.losses, result.fitLoss] };
            assert.equal(got.backend, backend);
            if (backend === 'wasm') assert.equal(got.hadFilterGrad, false, 'stock wasm had a Conv2DBackpropFilter: the test proves nothing');
            t.diagnostic(`${backend}: losses ${got.losses.join(', ')}; relative to Node's ${got.losses.map((l, i) => (Math.abs(l - reference[i]!) / reference[i]!).toExponential(1)).join(', ')}`);
            got.losses.forEach((l, i) => assert.ok(Math.abs(l - reference[i]!) <= LOSS_RTOL * reference[i]!, `${bundler}, ${backend}, step ${i + 1}: ${l} in the page, ${reference[i]} in Node`));
          } finally {
            await page.close();
          }
        }
        assert.deepEqual(session.blocked, []);
        assert.deepEqual(session.problems.filter((p) => p.startsWith('pageerror')), []);
      } finally {
        await session?.close();
      }
    });
  }
});
