/**
 * The package as a user installs it, bundled for the browser: `npm pack`, the tarball
 * extracted into a fresh project's node_modules/lisht, a page importing 'lisht' bundled by
 * esbuild with `platform: 'browser'`. Its dependencies (tfjs-core, -layers, ...) resolve from
 * the repository's node_modules through `nodePaths`, as a flat install would place them, so no
 * registry is needed. The tarball is packed with --ignore-scripts from the dist/ that
 * `npm test` has just built: packing runs no build of its own, whatever `prepack` holds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { extract } from 'tar';
import { bundleForBrowser, pageRoutes, skipNoChromium, startBrowser } from '../helpers/browser.js';
import { REPO_ROOT, tempDir } from '../helpers/env.js';

const dir = tempDir('lisht-package-');
const project = join(dir.path, 'project');
let bundle: Awaited<ReturnType<typeof bundleForBrowser>>;

// What a user's page would hold: the documented browser imports.
const PAGE = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { lisht, lishtLayer, activations, getActivation, fit, trainStep, evaluate, History, ProgressBar, exampleSets, models, selectBackend } from 'lisht';
for (const [name, value] of Object.entries({ lishtLayer, activations, getActivation, fit, trainStep, evaluate, History, ProgressBar, exampleSets, models })) {
  if (value === undefined) throw new Error(name + ' is not exported');
}
globalThis.lishtResult = (async () => {
  await selectBackend('auto');
  return { backend: tf.getBackend(), values: Array.from(await lisht(tf.tensor([-2, 0, 3])).data()) };
})();
`;

before(() => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir.path], { cwd: REPO_ROOT, encoding: 'utf8' })) as { filename: string }[];
  const target = join(project, 'node_modules', 'lisht');
  mkdirSync(target, { recursive: true });
  return extract({ file: join(dir.path, packed[0]!.filename), cwd: target, strip: 1 }).then(async () => {
    writeFileSync(join(project, 'page.js'), PAGE);
    bundle = await bundleForBrowser(join(project, 'page.js'), { nodePaths: [join(REPO_ROOT, 'node_modules')] });
  });
});

after(() => dir.remove());

test('a page importing lisht from the packed package bundles for the browser with zero errors', () => {
  assert.deepEqual(bundle.errors, []);
  // Through the package's exports, from the tarball's files, not from the repository's src/.
  assert.ok(bundle.inputs.some((i) => i.endsWith('node_modules/lisht/dist/src/index.js')), 'the bundle holds lisht/dist/src/index.js');
  assert.ok(!bundle.inputs.some((i) => i.includes('/lisht/dist/src/node.js')), 'the Node entry stays out');
});

test('the browser bundle pulls no Node built-in (only dependencies\u2019 own browser-disabled stubs)', () => {
  assert.deepEqual(bundle.errors, [], 'an errored build has no metafile to check');
  assert.ok(bundle.inputs.length > 100, `only ${bundle.inputs.length} inputs`);
  const builtins = new Set(builtinModules);
  // A dependency may map a built-in to nothing through its "browser" field (tfjs-core's
  // platform_node, seedrandom's crypto): esbuild lists those as "(disabled):NAME", and they
  // are not Node modules in the bundle. lisht has no such field: a built-in it imported would
  // be an error above.
  const offending = bundle.inputs.filter((i) => i.startsWith('node:') || builtins.has(i));
  assert.deepEqual(offending, []);
});

test('the bundled page runs lisht in headless Chromium with the network off', { skip: skipNoChromium, timeout: 120_000 }, async () => {
  const session = await startBrowser(pageRoutes(bundle.code));
  try {
    const page = await session.open('globalThis.lishtResult !== undefined');
    const result = await page.evaluate(() => (globalThis as unknown as { lishtResult: Promise<{ backend: string; values: number[] }> }).lishtResult);
    assert.equal(result.backend, 'cpu');
    assert.deepEqual(result.values.map((v) => Number(v.toFixed(5))), [1.92806, 0, 2.98516]);
    assert.deepEqual(session.blocked, []);
    assert.deepEqual(session.problems, []);
  } finally {
    await session.close();
  }
});
