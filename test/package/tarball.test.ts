/**
 * Issue 13 item 9: the package installs from its own tarball. Packs a copy of this checkout
 * (as a clean clone would be packed: `prepack` builds dist/src), installs the tarball into a
 * fresh project under the system's temp folder, where this repository's node_modules cannot
 * be reached, and uses it there the way a user would: the CLI through npx, an ESM script
 * that trains a step, and TypeScript on the public types.
 *
 * One pack and one install (`--prefer-offline`, so npm's cache serves what it holds), shared
 * by every test here; the install compiles better-sqlite3, and the native addon only where the
 * tarball carries no prebuilt one that loads (issue 21), which takes minutes.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, SHARED_DATASETS, tempDir } from '../helpers/env.js';

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

const BUILT_ADDON = join(REPO_ROOT, 'build', 'Release', 'lisht_native.node');

/** This checkout as `git clone` would give it, uncommitted work included, without build outputs. */
function copyCheckout(to: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  for (const file of listed.stdout.split('\0')) {
    // node_modules is a link in some checkouts (so git does not ignore it); deleted files are still listed.
    if (file === '' || file === 'node_modules' || !existsSync(join(REPO_ROOT, file))) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    // Timestamps kept, so the addon built below counts as current against its sources.
    cpSync(join(REPO_ROOT, file), join(to, file), { preserveTimestamps: true });
  }
  // The addon a developer's checkout has built (ignored by git): `prepack` makes the prebuild
  // from it when it is newer than native/, and compiles it afresh otherwise.
  if (existsSync(BUILT_ADDON)) {
    mkdirSync(join(to, 'build', 'Release'), { recursive: true });
    cpSync(BUILT_ADDON, join(to, 'build', 'Release', 'lisht_native.node'), { preserveTimestamps: true });
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
import { registerWasmTrainingKernels, wasmTrainingKernelNames } from 'lisht/wasm';

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
const registerWasm: () => void = registerWasmTrainingKernels;
const added: string[] = wasmTrainingKernelNames().added;
void [backend, step, info, epochs, err, bad, badInfo, badMean, run, registerWasm, added];
`;

/** The prebuild is made at pack time from the addon, which needs oneDNN's development files. */
const skipNoPrebuild: string | false = existsSync(BUILT_ADDON) ? false : 'the native addon is not built here, so the tarball carries no prebuild (.ci/native-deps.sh installs oneDNN)';
/** Hiding files needs a mount namespace of one's own: root and util-linux's unshare. */
const skipNoNamespace: string | false =
  process.getuid?.() !== 0 || spawnSync('unshare', ['--mount', 'true']).status !== 0 ? 'needs root and unshare(1) for a mount namespace' : false;

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

  it('issue 21: the tarball carries the prebuilt linux-x64 addon with oneDNN and its licences, and the install compiled nothing', { skip: skipNoPrebuild }, () => {
    for (const file of ['lisht_native.node', 'libdnnl.so.2', 'libOpenCL.so.1', 'libgomp.so.1', 'NOTICE', 'licenses/Apache-2.0', 'licenses/libdnnl2.copyright']) {
      assert.ok(packed.includes(`prebuilds/linux-x64/${file}`), `prebuilds/linux-x64/${file} is in the tarball`);
    }
    assert.equal(existsSync(join(project, 'node_modules/lisht/build')), false, 'the install built nothing from source');
  });

  it('issue 21: with the system oneDNN hidden (a mount namespace), the installed `lisht compare` trains on native', { skip: skipNoPrebuild || skipNoNamespace, timeout: 5 * 60_000 }, async () => {
    const out = join(tmp.path, 'compare-out');
    // Each system libdnnl (and libOpenCL, which libdnnl loads) gets /dev/null bound over it, in
    // a mount namespace of this one command: the dynamic linker can no longer load them.
    // The first ldd proves it on an addon linked against the system library; the second shows
    // the prebuilt addon resolving oneDNN beside itself.
    const script = [
      'set -e',
      'for f in $(ldconfig -p | grep -E "libdnnl|libOpenCL" | sed "s/.*=> //"); do mount --bind /dev/null "$(readlink -f "$f")"; done',
      `echo "system: $(ldd ${BUILT_ADDON} 2>&1 | grep -c -E 'libdnnl.*(not found|too short)' || true)"`,
      'echo "prebuilt: $(ldd node_modules/lisht/prebuilds/linux-x64/lisht_native.node | grep libdnnl)"',
      `exec npx --no-install lisht compare --data ${join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz')} --epochs 1 --limit-train 200 --limit-test 100 --seed 1 --activations lisht --out ${out}`,
    ].join('\n');
    const r = ok(await run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], project), 'lisht compare without the system oneDNN');
    assert.match(r.stdout, /^system: [1-9]/m, `the system oneDNN is still loadable in the namespace:\n${r.stdout}`);
    assert.match(r.stdout, /^prebuilt: \s*libdnnl\.so\.2 => \S*node_modules\/lisht\/prebuilds\/linux-x64\/libdnnl\.so\.2/m, r.stdout);
    assert.match(r.stdout, /^Backend: native$/m, r.stdout);
    assert.ok(existsSync(join(out, 'summary.json')), 'the comparison finished');
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
