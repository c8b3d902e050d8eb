/**
 * Issue 24, in headless Chromium against the real `lisht playground --data`: the page stays
 * responsive while the CNN trains (in a Web Worker), a run's settings are frozen while it
 * runs, messages say what is happening and go away when they should, the toy classifier's
 * TensorFlow-Playground controls, and the backend controls saying what runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { PlaygroundApi } from '../../src/playground/web/main.js';
import { skipNoChromium } from '../helpers/browser.js';
import { SHARED_DATASETS } from '../helpers/env.js';
import { startPageSession, type PageSession } from './page_session.js';

const SUBSET = join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz');
const skip = skipNoChromium || (existsSync(SUBSET) ? false : `${SUBSET} not found`);

let session: PageSession;
before(async () => {
  if (!skip) session = await startPageSession(['--data', SUBSET]);
});
after(async () => {
  await session?.close();
});

type Win = { playground: PlaygroundApi; inputDelays: number[] };
const text = (page: Page, selector: string) => page.locator(selector).innerText();
const cnnStatus = (page: Page) => page.evaluate(() => (globalThis as unknown as Win).playground.cnn.status);
const READY = "globalThis.playground.cnn.status === 'ready'";

test('item 1: every click is handled within 100 ms while the seed CNN trains on wasm (in a Web Worker), across an epoch end; Stop answers at once', { skip, timeout: 240_000 }, async (t) => {
  // Delay from the input event's own timestamp (when the browser received it) to the moment
  // the page's handler runs, measured in the page: what a user waits, whatever the machine's
  // load does to the test driver. 1 wasm thread: the worker takes one core, the page the other.
  const page = await session.open('?threads=0&train=300&test=100&batch=30&epochs=2', {
    until: READY,
    init: () => {
      (globalThis as unknown as Win).inputDelays = [];
      document.addEventListener('click', (e) => (globalThis as unknown as Win).inputDelays.push(performance.now() - e.timeStamp), { capture: true });
    },
  });
  try {
    await page.click('#cnn-run');
    await page.waitForFunction(() => ((globalThis as unknown as Win).playground.cnn.results[0]?.steps ?? 0) >= 1, undefined, { timeout: 60_000 });
    await page.evaluate(() => ((globalThis as unknown as Win).inputDelays = []));
    // Click the model summary open and shut while training, until an epoch of B has ended or 40 clicks.
    let clicks = 0;
    let sawEpochEnd = false;
    for (; clicks < 40; clicks++) {
      await page.click('#cnn summary');
      await page.waitForTimeout(120);
      const r = await page.evaluate(() => (globalThis as unknown as Win).playground.cnn.results);
      sawEpochEnd ||= r[0]?.valAccuracy >= 0;
      if (sawEpochEnd && clicks >= 10 && (r[1]?.steps ?? 0) >= 1) break;
      if ((await cnnStatus(page)) !== 'training') break;
    }
    const delays = await page.evaluate(() => (globalThis as unknown as Win).inputDelays);
    assert.equal(await cnnStatus(page), 'training', 'the clicks fell inside the run');
    assert.ok(sawEpochEnd, 'an epoch ended (with its test pass and dead-unit probe) during the clicks');
    assert.ok(delays.length >= 10, `${delays.length} clicks recorded`);
    const sorted = [...delays].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    t.diagnostic(`${delays.length} clicks during training: median ${median.toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`);
    assert.ok(sorted[sorted.length - 1] < 100, `every click within 100 ms: median ${median.toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms, all ${sorted.map((d) => d.toFixed(0)).join(', ')}`);

    // Stop: the page says so within the click's own task, and the run ends after its step.
    await page.click('#cnn-stop');
    assert.match(await text(page, '#cnn-message'), /^(Stopping after the current step|Stopped)/);
    assert.equal(await page.locator('#cnn-stop').isDisabled(), true);
    await page.waitForFunction(() => (globalThis as unknown as Win).playground.cnn.status === 'ready', undefined, { timeout: 60_000 });
    assert.match(await text(page, '#cnn-message'), /^Stopped after \d+ steps? of (LiSHT|ReLU)\. Ready to train again\./);
    // The next run's status line is the run's, not "Stopped."
    await page.fill('#cnn-epochs', '1');
    await page.press('#cnn-epochs', 'Enter');
    await page.fill('#cnn-train', '60');
    await page.press('#cnn-train', 'Enter');
    await page.click('#cnn-run');
    assert.match(await text(page, '#cnn-message'), /^Training LiSHT \(1 of 2\)/);
    await page.waitForFunction(() => (globalThis as unknown as Win).playground.cnn.status === 'done', undefined, { timeout: 120_000 });
  } finally {
    await page.close();
  }
  assert.deepEqual(session.problems, []);
  assert.deepEqual(session.blocked, []);
});

test('item 3: a run freezes its settings; activations picked meanwhile apply to the next run, as the page says', { skip, timeout: 180_000 }, async () => {
  const page = await session.open('?train=60&test=20&batch=20&epochs=2', { until: READY });
  try {
    await page.click('#cnn-run');
    for (const id of ['#cnn-run', '#cnn-epochs', '#cnn-train', '#cnn-test', '#cnn-batch', '#cnn-file', '#backend', '#threads', '#kernels']) {
      assert.equal(await page.locator(id).isDisabled(), true, `${id} disabled during the run`);
    }
    assert.equal(await page.locator('#cnn-stop').isEnabled(), true);
    assert.match(await text(page, '#cnn-frozen'), /compares LiSHT with ReLU: 60 training and 20 test images, batch 20, 2 epochs, as set when it started.*apply to the next run/);
    await page.selectOption('#act-a', 'gelu');
    await page.waitForFunction(() => document.querySelector('#facts th:nth-child(2)')!.textContent === 'GELU');
    // Clicking the disabled Train button again starts nothing.
    await page.locator('#cnn-run').click({ force: true });
    await page.waitForFunction(() => (globalThis as unknown as Win).playground.cnn.status === 'done', undefined, { timeout: 150_000 });
    const run = await page.evaluate(() => {
      const c = (globalThis as unknown as Win).playground.cnn;
      return { results: c.results.map((r) => [r.activation, r.steps]), settings: c.settings };
    });
    assert.deepEqual(run.results, [['lisht', 6], ['relu', 6]], 'both trained 2 epochs of 3 steps, LiSHT still labelled LiSHT');
    assert.match(await text(page, '#cnn-message'), /^Done: LiSHT \d+\.\d% test accuracy, ReLU \d+\.\d% test accuracy \(60 training images, 2 epochs\)/);
    assert.match((await page.locator('#cnn-accuracy').getAttribute('aria-label')) ?? '', /LiSHT train, LiSHT test, ReLU train, ReLU test/);
    for (const id of ['#cnn-run', '#cnn-epochs', '#backend']) assert.equal(await page.locator(id).isEnabled(), true, `${id} enabled after the run`);
    assert.equal(await page.locator('#cnn-frozen').isHidden(), true);
    assert.equal(await page.locator('#cnn-stop').isDisabled(), true);
  } finally {
    await page.close();
  }
  assert.deepEqual(session.problems, []);
});

test('item 4: banners can be dismissed and do not pile up; a corrected field clears its own message; the picker shows the backend that runs', { skip, timeout: 90_000 }, async () => {
  const page = await session.open('?backend=metal', { until: READY });
  try {
    assert.equal(await page.locator('#backend').inputValue(), 'wasm', 'the picker says what runs after the fallback');
    assert.match(await text(page, '#banner'), /backend 'metal' is not available here.*running on wasm instead/);
    // The same message again does not add a second banner.
    await page.evaluate(() => window.dispatchEvent(new PromiseRejectionEvent('unhandledrejection', { promise: Promise.resolve(), reason: new Error('boom') })));
    await page.evaluate(() => window.dispatchEvent(new PromiseRejectionEvent('unhandledrejection', { promise: Promise.resolve(), reason: new Error('boom') })));
    assert.equal(await page.locator('#banner .banner-line').count(), 2);
    await page.locator('#banner .dismiss').first().click();
    await page.locator('#banner .dismiss').first().click();
    assert.equal(await page.locator('#banner').isHidden(), true, 'every banner dismissed');

    for (const [id, bad, good, message] of [
      ['#cnn-epochs', '0', '2', /epochs must be a whole number from 1 to 100 \(got "0"\)/],
      ['#toy-layers', '4,x', '4,4', /hidden layers must be 1 to 6 widths/],
      ['#toy-lr', '-1', '0.01', /learning rate must be above 0/],
    ] as const) {
      await page.fill(id, bad);
      await page.press(id, 'Enter');
      const note = page.locator(`${id}-error`);
      assert.match(await note.innerText(), message);
      assert.equal(await page.locator(id).getAttribute('aria-invalid'), 'true');
      await page.fill(id, good);
      await page.press(id, 'Enter');
      assert.equal(await note.count(), 0, `${id}: its message went once corrected`);
      assert.equal(await page.locator(id).getAttribute('aria-invalid'), null);
    }
    assert.match(page.url(), /epochs=2/);
    assert.match(page.url(), /lr=0\.01/);
    assert.equal(await page.locator('#banner').isHidden(), true, 'field messages stay by their fields, not in the banner');
  } finally {
    await page.close();
  }
  assert.deepEqual(session.problems.filter((p) => !/unexpected error: boom/.test(p)), []);
});

test('item 4: without lisht kernels, wasm training fails with a hint; ?threads=4 beyond the pool is said, and "threads" shows what runs', { skip, timeout: 120_000 }, async () => {
  const stock = await session.open('?kernels=0&threads=0&autorun=cnn&train=20&test=20&batch=20&epochs=1', { until: "['done', 'error'].includes(globalThis.playground.cnn.status)" });
  const four = await session.open('?threads=4', { until: READY });
  try {
    assert.equal(await cnnStatus(stock), 'error');
    assert.match(await text(stock, '#cnn-message'), /Training the seed CNN failed: .*Conv2DBackpropFilter.*tick "lisht kernels"/);

    const threads = await four.evaluate(() => (globalThis as unknown as Win).playground.cnn.threads!);
    assert.equal(await four.locator('#threads').isChecked(), threads > 1, `"threads" ticked only where more than 1 runs (${threads})`);
    const said = (await four.evaluate(() => (globalThis as unknown as Win).playground.messages)).join('\n');
    if (threads === 4) assert.doesNotMatch(said, /asked for/);
    else assert.match(said, new RegExp(`wasm runs ${threads} threads?, not the 4 asked for \\(\\?threads=4\\)`));
  } finally {
    await stock.close();
    await four.close();
  }
  assert.deepEqual(session.problems.filter((p) => !/Conv2DBackpropFilter/.test(p)), []);
});

test('item 7: the toy classifier: class legend in colours of neither activation, accuracy at step 0, step button, epoch counter, test loss, noise, and a restart that says so', { skip, timeout: 90_000 }, async () => {
  const page = await session.open('');
  try {
    assert.match(await text(page, '#toy-stats-a'), /^LiSHT: step 0, loss \d\.\d{4}, train accuracy \d\.\d{3}, test accuracy \d\.\d{3}$/);
    assert.equal(await text(page, '#toy-epoch'), 'epoch 0');
    const colours = await page.evaluate(() => {
      const css = (selector: string, prop: 'color' | 'backgroundColor') => getComputedStyle(document.querySelector(selector)!)[prop];
      return { class0: css('.dot.class0', 'backgroundColor'), class1: css('.dot.class1', 'backgroundColor'), a: css('#toy-stats-a', 'color'), b: css('#toy-stats-b', 'color') };
    });
    assert.equal(new Set(Object.values(colours)).size, 4, JSON.stringify(colours));
    assert.match(await text(page, '#toy .legend'), /class 0.*class 1/);

    await page.click('#toy-step');
    await page.waitForFunction(() => (globalThis as unknown as Win).playground.toy.step === 1);
    await page.click('#toy-step');
    await page.waitForFunction(() => document.querySelector('#toy-epoch')!.textContent === 'epoch 2');
    assert.match(await text(page, '#toy-stats-b'), /^ReLU: step 2,/);
    const table = await page.locator('#toy-loss-data').innerText();
    assert.match(table, /LiSHT train\s+2\b/);
    assert.match(table, /LiSHT test\s+3\b/, 'test loss at steps 0, 1 and 2');

    await page.evaluate(() => {
      const noise = document.querySelector<HTMLInputElement>('#toy-noise')!;
      noise.value = '30';
      noise.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction(() => (globalThis as unknown as Win).playground.state.noise === 30 && (globalThis as unknown as Win).playground.toy.step === 0);
    assert.match(page.url(), /noise=30/);
    assert.match(await text(page, '#toy-note'), /New noise: both networks start again from step 0/);

    // Changing an activation while the toy trains: it starts again with the new pair and keeps going.
    await page.click('#toy-run');
    await page.waitForFunction(() => (globalThis as unknown as Win).playground.toy.step >= 8);
    await page.selectOption('#act-b', 'gelu');
    await page.waitForFunction(() => /GELU/.test(document.querySelector('#toy-stats-b')!.textContent!));
    assert.match(await text(page, '#toy-note'), /New activations: both networks start again from step 0 with LiSHT and GELU and keep training/);
    await page.waitForFunction(() => (globalThis as unknown as Win).playground.toy.step >= 4);
    assert.equal(await page.evaluate(() => (globalThis as unknown as Win).playground.toy.isRunning), true);
    await page.click('#toy-run');
  } finally {
    await page.close();
  }
  assert.deepEqual(session.problems, []);
});

test('item 1: on webgl the CNN trains in its worker (OffscreenCanvas) to the same steps, and clicks are handled within 100 ms meanwhile', { skip, timeout: 240_000 }, async (t) => {
  const page = await session.open('?backend=webgl&train=60&test=20&batch=20&epochs=1', {
    until: READY,
    init: () => {
      (globalThis as unknown as Win).inputDelays = [];
      document.addEventListener('click', (e) => (globalThis as unknown as Win).inputDelays.push(performance.now() - e.timeStamp), { capture: true });
    },
  });
  try {
    const backend = await page.evaluate(() => (globalThis as unknown as Win).playground.cnn.backend?.name);
    if (backend !== 'webgl') {
      t.skip(`webgl did not start in this Chromium's worker: ${await text(page, '#banner')}`);
      return;
    }
    await page.click('#cnn-run');
    await page.waitForFunction(() => ((globalThis as unknown as Win).playground.cnn.results[0]?.steps ?? 0) >= 1, undefined, { timeout: 120_000 });
    await page.evaluate(() => ((globalThis as unknown as Win).inputDelays = []));
    for (let i = 0; i < 10 && (await cnnStatus(page)) === 'training'; i++) {
      await page.click('#cnn summary');
      await page.waitForTimeout(150);
    }
    const delays = await page.evaluate(() => (globalThis as unknown as Win).inputDelays);
    await page.waitForFunction(() => ['done', 'error'].includes((globalThis as unknown as Win).playground.cnn.status), undefined, { timeout: 200_000 });
    assert.equal(await cnnStatus(page), 'done', await text(page, '#cnn-message'));
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as Win).playground.cnn.results.map((r) => [r.activation, r.steps])), [['lisht', 3], ['relu', 3]]);
    assert.ok(delays.length >= 5, `${delays.length} clicks during training`);
    t.diagnostic(`webgl: ${delays.length} clicks during training, max ${Math.max(...delays).toFixed(1)} ms`);
    assert.ok(Math.max(...delays) < 100, `every click within 100 ms: ${delays.map((d) => d.toFixed(0)).join(', ')}`);
  } finally {
    await page.close();
  }
  assert.deepEqual(session.problems, []);
});
