/**
 * LiSHT in a real browser: the main entry bundled by esbuild for the browser, run in headless
 * Chromium on cpu, wasm, webgl (SwiftShader through ANGLE, packed and unpacked programs) and
 * webgpu (SwiftShader through Dawn), against the same float64 references and bound as the
 * Node tests, and a few training steps against Node's cpu backend.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Page } from 'playwright-core';
import type { LishtTestApi } from './page/main.js';
import { CLASSES, EXAMPLES, FEATURES, HIDDEN, trainingLosses, type TrainingInput } from './training_case.js';
import { bundleForBrowser, pageRoutes, serveFile, skipNoChromium, startBrowser, type BrowserSession } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/env.js';
import { compareToReference, denseGrid } from '../helpers/float.js';
import { lcgValues } from '../helpers/kernels.js';
import { LISHT_RTOL, refGrad, refLisht } from '../helpers/lisht_reference.js';

const PAGE_ENTRY = join(REPO_ROOT, 'dist/test/browser/page/main.js');
const WASM_DIR = join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

/**
 * Losses may differ from Node's cpu run only by float32 rounding in another order (GPU
 * reductions, another exp): about 1e-6 relative per step. Each step moves the loss by several
 * percent, so a gradient off by even 1% shows up well above this bound.
 */
const LOSS_RTOL = 1e-4;

const grid = denseGrid();
const gridBits = Array.from(new Uint32Array(grid.buffer));
const want = Float64Array.from(grid, refLisht);
const wantGrad = Float64Array.from(grid, refGrad);
const fromBits = (bits: number[]): Float32Array => new Float32Array(Uint32Array.from(bits).buffer);

// Deterministic weights and data, passed into every run, the Node reference included.
const trainingInput: TrainingInput = {
  weights: [
    Array.from(lcgValues(FEATURES * HIDDEN, 1), (v) => v * 0.8),
    Array.from(lcgValues(HIDDEN, 2), (v) => v * 0.1),
    Array.from(lcgValues(HIDDEN * CLASSES, 3), (v) => v * 0.6),
    Array.from(lcgValues(CLASSES, 4), (v) => v * 0.1),
  ],
  features: Array.from(lcgValues(EXAMPLES * FEATURES, 5), (v) => v * 2),
  labels: Array.from({ length: EXAMPLES }, (_, i) => (i * 7) % CLASSES),
};

let session: BrowserSession | undefined;
let bundleErrors: string[] = [];
let nodeLosses: number[] = [];

before(async () => {
  if (skipNoChromium) return;
  const bundle = await bundleForBrowser(PAGE_ENTRY);
  bundleErrors = bundle.errors;
  if (bundleErrors.length > 0) return;
  const wasmRoutes = Object.fromEntries(
    readdirSync(WASM_DIR)
      .filter((f) => f.endsWith('.wasm'))
      .map((f) => [`/wasm/${f}`, serveFile(join(WASM_DIR, f), 'application/wasm')]),
  );
  session = await startBrowser(pageRoutes(bundle.code, wasmRoutes));
  await tf.setBackend('cpu');
  nodeLosses = await trainingLosses(trainingInput);
});

after(async () => {
  await session?.close();
});

test('the browser test page bundles without errors', { skip: skipNoChromium }, () => {
  assert.deepEqual(bundleErrors, []);
});

interface Case {
  backend: string;
  label: string;
  flags?: Record<string, boolean>;
}

const CASES: Case[] = [
  { backend: 'cpu', label: 'cpu' },
  { backend: 'wasm', label: 'wasm' },
  { backend: 'webgl', label: 'webgl (packed programs)', flags: { WEBGL_PACK_UNARY_OPERATIONS: true, WEBGL_PACK_BINARY_OPERATIONS: true } },
  { backend: 'webgl', label: 'webgl (unpacked programs)', flags: { WEBGL_PACK: false, WEBGL_PACK_UNARY_OPERATIONS: false, WEBGL_PACK_BINARY_OPERATIONS: false } },
  { backend: 'webgpu', label: 'webgpu' },
];

/**
 * A fresh page on `c.backend`, or null after marking the test skipped with the reason the
 * backend gave for not starting (so a missing GPU path is reported, never passed silently).
 */
async function pageOn(t: TestContext, c: Case): Promise<Page | null> {
  assert.ok(session, `the browser did not start: ${bundleErrors.join('; ')}`);
  const page = await session.open('globalThis.lishtTest !== undefined');
  const failed = await page.evaluate(([name, flags]) => (globalThis as unknown as { lishtTest: LishtTestApi }).lishtTest.start(name, flags), [c.backend, c.flags ?? {}] as const);
  if (failed === null) return page;
  await page.close();
  t.skip(`${c.backend} did not start in Chromium: ${failed}`);
  return null;
}

for (const c of CASES) {
  test(`lisht and its gradient in Chromium on ${c.label} match float64 within 1e-6 over [-1e30, 1e30]`, { skip: skipNoChromium, timeout: 180_000 }, async (t) => {
    const page = await pageOn(t, c);
    if (page === null) return;
    try {
      // The kernels assume float32 textures; on float16 ones every stored value has ~3 digits.
      if (c.backend === 'webgl' && !(await page.evaluate(() => (globalThis as unknown as { lishtTest: LishtTestApi }).lishtTest.flag('WEBGL_RENDER_FLOAT32_ENABLED')))) {
        t.skip('this WebGL device renders to float16 textures only: the float32 bound does not apply');
        return;
      }
      const got = await page.evaluate((x) => (globalThis as unknown as { lishtTest: LishtTestApi }).lishtTest.lishtAndGradient(x), gridBits);
      assert.deepEqual(compareToReference(grid, fromBits(got.value), want, LISHT_RTOL), [], 'value');
      assert.deepEqual(compareToReference(grid, fromBits(got.gradient), wantGrad, LISHT_RTOL), [], 'gradient');
    } finally {
      await page.close();
    }
  });

  test(`three training steps of a LiSHT model in Chromium on ${c.label} give Node cpu's losses`, { skip: skipNoChromium, timeout: 180_000 }, async (t) => {
    const page = await pageOn(t, c);
    if (page === null) return;
    try {
      const losses = await page.evaluate((input) => (globalThis as unknown as { lishtTest: LishtTestApi }).lishtTest.train(input), trainingInput);
      assert.equal(losses.length, nodeLosses.length);
      // The steps must really train, or equal losses would prove nothing about the gradient.
      assert.ok(nodeLosses[0]! - nodeLosses[nodeLosses.length - 1]! > 0.05 * nodeLosses[0]!, `the loss barely moved: ${nodeLosses}`);
      losses.forEach((l, i) => assert.ok(Math.abs(l - nodeLosses[i]!) <= LOSS_RTOL * nodeLosses[i]!, `step ${i + 1}: ${l} in the browser, ${nodeLosses[i]} in Node`));
    } finally {
      await page.close();
    }
  });
}

test('the browser pages made no request beyond 127.0.0.1 and raised no page errors', { skip: skipNoChromium }, () => {
  assert.ok(session);
  assert.deepEqual(session.blocked, []);
  assert.deepEqual(session.problems.filter((p) => p.startsWith('pageerror')), []);
});
