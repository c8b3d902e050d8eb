/**
 * Issue 21 item 5: in a real browser, a backend that does not start says why. Headless
 * Chromium without the GPU flags has `navigator.gpu` but no adapter; Chromium itself only logs
 * "No available adapters." to the console, and tfjs-backend-webgpu's factory fails on the null
 * adapter. `selectBackend('webgpu')` puts the browser's reason in its error.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleForBrowser, pageRoutes, skipNoChromium, startBrowser } from '../helpers/browser.js';
import { REPO_ROOT, tempDir } from '../helpers/env.js';

const dir = tempDir('lisht-select-error-');
after(() => dir.remove());

const PAGE = `
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from ${JSON.stringify(join(REPO_ROOT, 'dist/src/index.js'))};
globalThis.lishtResult = (async () => {
  const error = await selectBackend('webgpu').then(() => null, (e) => e.message);
  const auto = await selectBackend('auto');
  return { error, auto };
})();
`;

test('issue 21: selectBackend(\u2019webgpu\u2019) in Chromium without an adapter says "No available adapters."', { skip: skipNoChromium, timeout: 120_000 }, async () => {
  writeFileSync(join(dir.path, 'page.js'), PAGE);
  const bundle = await bundleForBrowser(join(dir.path, 'page.js'), { nodePaths: [join(REPO_ROOT, 'node_modules')] });
  assert.deepEqual(bundle.errors, []);
  const session = await startBrowser(pageRoutes(bundle.code), { gpu: false });
  try {
    const page = await session.open('globalThis.lishtResult !== undefined');
    const result = await page.evaluate(() => (globalThis as unknown as { lishtResult: Promise<{ error: string | null; auto: string }> }).lishtResult);
    assert.equal(result.error, "backend 'webgpu' is registered but failed to initialise: No available adapters. (navigator.gpu.requestAdapter() returned none)");
    // auto passes over it to the next registered backend.
    assert.equal(result.auto, 'cpu');
    assert.deepEqual(session.blocked, []);
  } finally {
    await session.close();
  }
});
