/**
 * The playground in headless Chromium, served by the real `lisht playground --data` on a free
 * port: the toy classifier and the seed CNN train a few steps (sizes cut down by URL
 * parameters), every chart is drawn, accuracy is reported, and bad input (a foreign file, a
 * truncated archive, a missing backend, a lost WebGL context) shows a message on a page that
 * keeps working, with no console error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PlaygroundApi } from '../../src/playground/web/main.js';
import { launchChromium, skipNoChromium } from '../helpers/browser.js';
import { SHARED_DATASETS } from '../helpers/env.js';
import { startPlaygroundCli, type RunningPlayground } from './cli_server.js';

const SUBSET = join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz');
const skip = skipNoChromium || (existsSync(SUBSET) ? false : `${SUBSET} not found`);

let running: RunningPlayground | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
const problems: string[] = [];
const blocked: string[] = [];

before(async () => {
  if (skip) return;
  running = await startPlaygroundCli(['--data', SUBSET]);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(running!.url) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
});

after(async () => {
  await browser?.close();
  await running?.stop();
});

type Win = { playground: PlaygroundApi };

/** A new page at `query`, once the page says it is ready (and `until` holds, if given). */
async function open(query: string, until = 'true', init?: () => void): Promise<Page> {
  const page = await context!.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${query}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${query}: pageerror: ${e.message}`));
  if (init) await page.addInitScript(init);
  await page.goto(`${running!.url}${query}`);
  await page.waitForFunction(`globalThis.playground?.ready === true && (${until})`, undefined, { timeout: 45_000, polling: 200 });
  return page;
}

/** Canvases with nothing but one colour on them (an empty or blank chart). */
function blankCanvases(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('canvas'))
      .filter((c) => {
        if (c.width === 0 || c.height === 0) return true;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const colours = new Set<number>();
        for (let i = 0; i < data.length && colours.size < 3; i += 4 * 7) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        return colours.size < 3;
      })
      .map((c) => c.id),
  );
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

test('the toy classifier and the seed CNN train in the page; every chart drawn, accuracy reported, no console error', { skip, timeout: 120_000 }, async () => {
  const page = await open('?autorun=toy,cnn&toySteps=12&train=40&test=20&batch=20&epochs=1', "['done', 'error'].includes(globalThis.playground.cnn.status) && !globalThis.playground.toy.isRunning");
  try {
    const state = await page.evaluate(() => {
      const p = (globalThis as unknown as Win).playground;
      return { messages: p.messages, status: p.cnn.status, results: p.cnn.results, toySteps: p.toy.step, backend: p.backend, cnnBackend: p.cnn.backend, isolated: crossOriginIsolated };
    });
    assert.deepEqual(state.messages, []);
    assert.equal(state.status, 'done');
    assert.equal(state.backend?.name, 'wasm');
    assert.equal(state.cnnBackend?.name, 'wasm', 'the CNN trained in its worker on wasm');
    assert.equal(state.isolated, true, 'COOP/COEP make the page cross-origin isolated');
    assert.equal(state.toySteps, 12);
    assert.deepEqual(state.results.map((r) => [r.activation, r.steps]), [['lisht', 2], ['relu', 2]]);
    for (const r of state.results) {
      assert.ok(r.valAccuracy >= 0 && r.valAccuracy <= 1 && r.trainAccuracy >= 0 && r.trainAccuracy <= 1, JSON.stringify(r));
      assert.deepEqual(r.dead.map((d) => d.units), [32, 64]);
      assert.ok(r.dead.every((d) => d.dead >= 0 && d.dead <= d.units));
    }
    assert.deepEqual(await blankCanvases(page), []);
    assert.equal(await page.locator('canvas').count(), 7);
    assert.match(await text(page, '#cnn-message'), /^Done: LiSHT \d+\.\d% test accuracy, ReLU \d+\.\d% test accuracy/);
    assert.match(await text(page, '#toy-stats-a'), /LiSHT: step 12, loss \d\.\d{4}, train accuracy \d\.\d{3}, test accuracy \d\.\d{3}/);
    assert.match(await text(page, '#cnn-progress'), /^A: LiSHT\nEpoch 1\/1\n2\/2 \[=+\] - .* - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}\n/);
    assert.match(await text(page, '#cnn-progress'), /\nB: ReLU\nEpoch 1\/1\n/);
    assert.match(await page.locator('#cnn-summary').textContent() ?? '', /Total params: 42,442/);
    assert.match(await text(page, '#facts'), /range\s+\[0, ∞\)\s+\[0, ∞\)/);
    assert.match(await text(page, '#cnn-dead'), /1: 32 units\s+\d+ \/ 32\s+\d+ \/ 32/);

    // The state lives in the URL: change it, reopen the URL, get the same view.
    await page.selectOption('#act-b', 'swish');
    await page.selectOption('#toy-data', 'xor');
    await page.fill('#toy-layers', '4,6,3');
    await page.press('#toy-layers', 'Enter');
    const url = page.url();
    assert.match(url, /b=swish/);
    assert.match(url, /data=xor/);
    assert.match(url, /layers=4%2C6%2C3/);
    const again = await context!.newPage();
    await again.goto(url);
    await again.waitForFunction('globalThis.playground?.ready === true');
    assert.deepEqual(await again.evaluate(() => {
      const s = (globalThis as unknown as Win).playground.state;
      return [s.a, s.b, s.data, s.layers];
    }), ['lisht', 'swish', 'xor', [4, 6, 3]]);
    assert.match(await text(again, '#facts'), /Swish/);
    await again.close();
  } finally {
    await page.close();
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(blocked, []);
});

test("this project's wasm training kernels train in the threaded build too (4 threads), to the same results as on 1 thread", { skip, timeout: 120_000 }, async () => {
  const query = '?autorun=cnn&train=40&test=20&batch=20&epochs=1';
  const done = "['done', 'error'].includes(globalThis.playground.cnn.status)";
  // TensorFlow.js sizes its pool to half the cores (at most 4): show the page 8 (its CNN worker
  // sizes its pool from the page's count), so it starts 4 threads.
  const threaded = await open(`${query}&threads=auto`, done, () => {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 8, configurable: true });
  });
  const single = await open(`${query}&threads=0`, done);
  try {
    const read = (page: Page) => page.evaluate(() => {
      const p = (globalThis as unknown as Win).playground;
      return { status: p.cnn.status, description: p.cnn.backend?.description, results: p.cnn.results, messages: p.messages };
    });
    const [t, s] = [await read(threaded), await read(single)];
    assert.match(t.description ?? '', /threaded build, 4 threads; lisht's training kernels/);
    assert.match(s.description ?? '', /SIMD, 1 thread; lisht's training kernels/);
    assert.deepEqual([t.status, t.messages, s.status, s.messages], ['done', [], 'done', []]);
    assert.deepEqual(t.results, s.results);
  } finally {
    await threaded.close();
    await single.close();
  }
  assert.deepEqual(problems, []);
});

test('a dropped file that is not CIFAR, then a truncated archive: a message on the page, which keeps working', { skip, timeout: 60_000 }, async () => {
  const page = await open('', "globalThis.playground.cnn.status === 'ready'");
  try {
    const drop = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, ...new Array(3000).fill(7)])], 'holiday.png', { type: 'image/png' }));
      return dt;
    });
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: drop });
    await page.waitForFunction(() => document.querySelector('#cnn-message')!.classList.contains('error'));
    assert.match(await text(page, '#cnn-message'), /^holiday\.png: not a tar archive .*\(keeping the data set loaded before\)/);

    const truncated = readFileSync(SUBSET).subarray(0, 300_000);
    await page.setInputFiles('#cnn-file', { name: 'cifar-10-binary.tar.gz', mimeType: 'application/gzip', buffer: truncated });
    await page.waitForFunction(() => /truncated/.test(document.querySelector('#cnn-message')!.textContent!));
    assert.match(await text(page, '#cnn-message'), /^cifar-10-binary\.tar\.gz: truncated or corrupt gzip data: the archive ends early/);
    assert.doesNotMatch(await text(page, '#cnn-message'), /fetch/i, 'nothing that reads like a network problem');
    assert.equal(await page.evaluate(() => (globalThis as unknown as Win).playground.cnn.status), 'ready');

    // Still responsive: the explorer follows a new activation.
    await page.selectOption('#act-a', 'mish');
    await page.waitForFunction(() => document.querySelector('#facts th:nth-child(2)')!.textContent === 'Mish');
  } finally {
    await page.close();
  }
  assert.deepEqual(problems, []);
});

test('a backend the browser lacks: the page says so and runs on wasm', { skip, timeout: 60_000 }, async () => {
  const noGpu = await open('?backend=webgpu', 'true', () => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  const unknown = await open('?backend=metal');
  try {
    for (const [page, reason] of [
      [noGpu, /backend 'webgpu' is not available here: this browser has no WebGPU/],
      [unknown, /backend 'metal' is not available here: unknown backend 'metal'/],
    ] as const) {
      assert.match(await text(page, '#banner'), reason);
      assert.match(await text(page, '#banner'), /running on wasm instead/);
      assert.equal(await page.evaluate(() => (globalThis as unknown as Win).playground.backend?.name), 'wasm');
      assert.equal(await page.locator('#backend').inputValue(), 'wasm', 'the picker says what runs');
      await page.click('#toy-run');
      await page.waitForFunction(() => (globalThis as unknown as Win).playground.toy.step >= 3);
      await page.click('#toy-run');
    }
  } finally {
    await noGpu.close();
    await unknown.close();
  }
  assert.deepEqual(problems, []);
});

test('a lost WebGL context stops training with a message; the page stays usable', { skip, timeout: 90_000 }, async (t) => {
  const page = await open('?backend=webgl&autorun=toy', 'globalThis.playground.toy.step >= 4');
  try {
    if ((await page.evaluate(() => (globalThis as unknown as Win).playground.backend?.name)) !== 'webgl') {
      t.skip(`webgl did not start in this Chromium: ${await text(page, '#banner')}`);
      return;
    }
    await page.evaluate(() => (globalThis as unknown as Win).playground.webglContext()!.getExtension('WEBGL_lose_context')!.loseContext());
    await page.waitForFunction(() => /WebGL context was lost/.test(document.querySelector('#banner')!.textContent!));
    await page.waitForFunction(() => !(globalThis as unknown as Win).playground.toy.isRunning);
    await page.selectOption('#act-b', 'gelu');
    await page.waitForFunction(() => document.querySelector('#facts th:nth-child(3)')!.textContent === 'GELU');
  } finally {
    await page.close();
  }
  assert.deepEqual(problems.filter((p) => !/CONTEXT_LOST_WEBGL/.test(p)), []);
});
