/**
 * Issue 13 item 9: the package installs from its own tarball. Packs a copy of this checkout
 * (as a clean clone would be packed: `prepack` builds dist/src), installs the tarball into a
 * fresh project under the system's temp folder, where this repository's node_modules cannot
 * be reached, and uses it there the way a user would: the CLI through npx, an ESM script
 * that trains a step, and TypeScript on the public types.
 *
 * One install (`--prefer-offline`, so npm's cache serves what it holds); it compiles
 * better-sqlite3 and, where oneDNN is present, the native addon, which takes minutes.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, tempDir } from '../helpers/env.js';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment for the nested npm: without the `npm_*` variables of an outer `npm test`,
 * which would otherwise configure it as a script of this package.
 */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

function run(command: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function ok(r: Result, what: string): Result {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** This checkout as `git clone` would give it, uncommitted work included, without build outputs. */
function copyCheckout(to: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  for (const file of listed.stdout.split('\0')) {
    // node_modules is a link in some checkouts (so git does not ignore it); deleted files are still listed.
    if (file === '' || file === 'node_modules' || !existsSync(join(REPO_ROOT, file))) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(to, file));
  }
  // The build needs the dev dependencies; a clean clone would get them from `npm ci`.
  symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(to, 'node_modules'), 'dir');
}

const TRAIN_SCRIPT = `
import * as tf from '@tensorflow/tfjs-core';
// A Node script: files and the Node backends come from the Node entry.
import { buildSeedCnn, loadModel, saveModel, selectBackend, trainStep } from 'lisht/node';

const backend = await selectBackend('cpu');
const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation: 'lisht', seed: 1 });
const vars = model.trainableWeights.map((w) => w.read());
const before = vars[0].dataSync().slice();
const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 7);
const y = tf.tensor1d([0, 1, 2, 3], 'int32');
const step = await trainStep(model, tf.train.adam(0.001), vars, x, y);
const moved = vars[0].dataSync().some((v, i) => v !== before[i]);
await saveModel(model, 'saved-model');
const again = await loadModel('saved-model');
console.log(JSON.stringify({ backend, loss: step.loss, moved, params: again.countParams(), resolved: import.meta.resolve('lisht/node') }));
`;

const TYPES_FILE = `
import * as tf from '@tensorflow/tfjs-core';
import { buildSeedCnn, lisht, selectBackend, trainStep, UserError, type FitOptions, type ModelBuildOptions } from 'lisht';
import { listDatasets, type DatasetInfo } from 'lisht/datasets';
import { summarize, type Summary } from 'lisht/reports';
import { compare, type CompareSummary } from 'lisht/node';

const options: ModelBuildOptions = { inputShape: [32, 32, 3], numClasses: 10, activation: 'lisht' };
const model = buildSeedCnn(options);
const backend: Promise<string> = selectBackend('cpu');
const y: tf.Tensor = lisht(tf.tensor([-2, 0, 3]));
const step: Promise<{ loss: number; correct: number }> = trainStep(model, tf.train.adam(), [], y, tf.tensor1d([0], 'int32'));
const info: DatasetInfo[] = listDatasets();
const summary: Summary = summarize([0.5, 0.6]);
const epochs: FitOptions['epochs'] = 1;
const err: Error = new UserError('x');
// Each of these must be an error: were a type unresolved (any), the directive itself would be.
// @ts-expect-error inputShape is a number[]
const bad: ModelBuildOptions = { inputShape: 'x', numClasses: 10, activation: 'lisht' };
// @ts-expect-error a data set's name is a known name, not any number
const badInfo: DatasetInfo['name'] = 3;
// @ts-expect-error a summary's mean is a number
const badMean: string = summary.mean;
const run: (o: { epochs: number }) => Promise<CompareSummary> = compare;
void [backend, step, info, epochs, err, bad, badInfo, badMean, run];
`;

describe('the package tarball', { timeout: 20 * 60_000 }, () => {
  const tmp = tempDir('lisht-tarball-');
  const checkout = join(tmp.path, 'checkout');
  const project = join(tmp.path, 'project');
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  let tarball = '';
  let packed: string[] = [];

  before(async () => {
    copyCheckout(checkout);
    const pack = ok(await run('npm', ['pack', '--json', '--pack-destination', tmp.path], checkout), 'npm pack');
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(tmp.path, info!.filename);
    packed = info!.files.map((f) => f.path);
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'lisht-tarball-check', private: true, type: 'module' }));
    const types = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@types/node']!;
    ok(await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, `@types/node@${types}`], project), 'npm install of the tarball');
  });
  after(() => tmp.remove());

  it('issue 13 item 9: the tarball holds the build, the LICENSE and the specs, and no tests', () => {
    for (const file of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/datasets/index.d.ts', 'LICENSE', 'experiments/iris-mlp.yaml']) {
      assert.ok(packed.includes(file), `${file} is in the tarball`);
    }
    assert.deepEqual(packed.filter((f) => /^(dist\/(test|bench)|test|bench|src)\//.test(f)), []);
    assert.match(readFileSync(join(project, 'node_modules/lisht/LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} the lisht authors\n/);
  });

  it('issue 13 item 9: publint and arethetypeswrong find nothing wrong with the tarball', async () => {
    ok(await run(join(REPO_ROOT, 'node_modules/.bin/publint'), [tarball, '--strict'], tmp.path), 'publint');
    // ESM only (type: module, Node >= 20): CommonJS require and TypeScript's node10 resolution are out of scope.
    ok(await run(join(REPO_ROOT, 'node_modules/.bin/attw'), [tarball, '--profile', 'esm-only'], tmp.path), 'attw');
  });

  it('issue 13 item 9: `npx lisht` runs from the installed package', async () => {
    assert.equal(ok(await run('npx', ['--no-install', 'lisht', '--version'], project), 'lisht --version').stdout.trim(), version);
    const summary = ok(await run('npx', ['--no-install', 'lisht', 'summary', '--model', 'seed-cnn'], project), 'lisht summary');
    assert.match(summary.stdout, /Total params: 42,442/);
    // The shipped specs are where the README says: the spec is read and checked, then the missing data is named.
    const spec = await run('npx', ['--no-install', 'lisht', 'run', 'node_modules/lisht/experiments/iris-mlp.yaml', '--data', 'iris=absent.csv'], project);
    assert.match(spec.stderr, /lisht: error: data for iris not found: .*absent\.csv/, spec.stderr);
  });

  it('issue 13 item 9: an ESM script imports lisht from the install and trains a step on cpu', async () => {
    writeFileSync(join(project, 'train.mjs'), TRAIN_SCRIPT);
    const r = ok(await run(process.execPath, ['train.mjs'], project), 'the ESM script');
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { backend: string; loss: number; moved: boolean; params: number; resolved: string };
    assert.equal(out.backend, 'cpu');
    assert.ok(Number.isFinite(out.loss) && out.loss > 0, `loss ${out.loss}`);
    assert.equal(out.moved, true, 'the step changed the weights');
    assert.equal(out.params, 42_442, 'saved and loaded back');
    assert.ok(out.resolved.startsWith(`file://${realpathSync(project)}/node_modules/lisht/`), out.resolved);
  });

  it('issue 15: the installed package ships the built playground and writes it out with --build', async () => {
    for (const file of ['dist/src/playground/site/index.html', 'dist/src/playground/site/app.js', 'dist/src/playground/site/cnn-worker.js', 'dist/src/playground/site/style.css']) {
      assert.ok(packed.includes(file), `${file} is in the tarball`);
    }
    ok(await run('npx', ['--no-install', 'lisht', 'playground', '--build', 'site'], project), 'lisht playground --build');
    // The page's own code, and TensorFlow.js with the models in the chunk the page and the CNN's worker share.
    assert.ok(readFileSync(join(project, 'site', 'app.js')).length > 10_000);
    const shared = readdirSync(join(project, 'site')).filter((f) => /^chunk-.*\.js$/.test(f));
    assert.ok(shared.length >= 1 && shared.some((f) => readFileSync(join(project, 'site', f)).length > 1_000_000), shared.join(', '));
    assert.ok(readFileSync(join(project, 'site', 'wasm', 'tfjs-backend-wasm-threaded-simd.wasm')).length > 100_000);
  });

  it('issue 13 item 9: TypeScript checks a file that uses the public types', async () => {
    writeFileSync(join(project, 'check.ts'), TYPES_FILE);
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    // --skipLibCheck: tfjs's own declarations fail a strict library check (this repository
    // sets it for them too), so every TypeScript user of tfjs needs it. The @ts-expect-error
    // lines in the file keep it honest: an unresolved lisht type would be `any` and fail them.
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', '--types', 'node', 'check.ts'];
    ok(await run(process.execPath, [tsc, ...args], project), 'tsc --noEmit');
  });
});
