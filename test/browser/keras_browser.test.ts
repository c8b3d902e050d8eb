/**
 * Issue 22 in a real browser: the main entry bundled by esbuild for the browser, in headless
 * Chromium, loads every Keras fixture (.keras and .h5 as a File, the converter's model.json
 * with its weights) and predicts Keras's outputs within 1e-5; a .keras round trip written
 * there is bit-identical.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import type { KerasTestApi } from './keras_page/main.js';
import { bundleForBrowser, pageRoutes, serveFile, skipNoChromium, startBrowser, type BrowserSession } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/env.js';
import { FIXTURES, FORMATS, MODELS, RTOL, predictions } from '../keras/fixtures.js';

const PAGE_ENTRY = join(REPO_ROOT, 'dist/test/browser/keras_page/main.js');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let session: BrowserSession | undefined;
let page: Page | undefined;
let bundleErrors: string[] = [];

before(async () => {
  if (skipNoChromium) return;
  const bundle = await bundleForBrowser(PAGE_ENTRY);
  bundleErrors = bundle.errors;
  if (bundleErrors.length > 0) return;
  const routes = Object.fromEntries(files(FIXTURES).map((f) => [`/fixtures/${relative(FIXTURES, f)}`, serveFile(f, f.endsWith('.json') ? 'application/json' : 'application/octet-stream')]));
  session = await startBrowser(pageRoutes(bundle.code, routes));
  page = await session.open('globalThis.kerasTest !== undefined');
});

after(async () => {
  await session?.close();
});

const api = (p: Page) => ({
  predict: (model: string, format: string, inputs: unknown) =>
    p.evaluate(([m, f, i]) => (globalThis as unknown as { kerasTest: KerasTestApi }).kerasTest.predict(m, f, i as never), [model, format, inputs] as const),
  roundTrip: (model: string, inputs: unknown) => p.evaluate(([m, i]) => (globalThis as unknown as { kerasTest: KerasTestApi }).kerasTest.roundTrip(m, i as never), [model, inputs] as const),
  refusal: () => p.evaluate(() => (globalThis as unknown as { kerasTest: KerasTestApi }).kerasTest.refusal()),
});

test('issue 22: the Keras test page bundles for the browser without errors', { skip: skipNoChromium }, () => {
  assert.deepEqual(bundleErrors, []);
  assert.ok(page !== undefined);
});

for (const model of MODELS) {
  for (const format of FORMATS) {
    test(`issue 22: in Chromium, ${model} (${format}) predicts Keras's outputs within ${RTOL}`, { skip: skipNoChromium }, async () => {
      const expected = predictions(model);
      const got = await api(page!).predict(model, format, expected.inputs);
      assert.equal(got.format, format.startsWith('tfjs') ? 'tfjs' : format);
      assert.equal(got.kerasVersion, expected.keras_version);
      got.outputs.forEach((values, k) => {
        const want = expected.outputs[k]!.data;
        assert.equal(values.length, want.length);
        const worst = Math.max(...values.map((v, i) => Math.abs(v - want[i]!) / Math.max(1, Math.abs(want[i]!))));
        assert.ok(worst <= RTOL, `output ${k}: off by ${worst}`);
      });
    });
  }
}

test('issue 22: in Chromium, .keras -> lisht -> .keras and .h5 -> lisht is bit-identical, and bad bytes are refused', { skip: skipNoChromium }, async () => {
  assert.equal(await api(page!).roundTrip('two_inputs', predictions('two_inputs').inputs), true);
  assert.equal(await api(page!).refusal(), 'not a Keras file: neither a .keras zip archive nor an HDF5 .h5 file');
  assert.deepEqual(session!.problems, []);
  assert.deepEqual(session!.blocked, []);
});

