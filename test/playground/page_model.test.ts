/**
 * Issue 22 item 4: the playground opens a Keras model (a `.keras` or `.h5` file, or a
 * tensorflowjs_converter model.json with its weights) chosen in the page, and shows its
 * summary and its activations; a model the loader refuses says why, in the page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { PlaygroundApi } from '../../src/playground/web/main.js';
import { skipNoChromium } from '../helpers/browser.js';
import { FIXTURES } from '../keras/fixtures.js';
import { startPageSession, type PageSession } from './page_session.js';

const skip = skipNoChromium;
let session: PageSession;
before(async () => {
  if (!skip) session = await startPageSession([]);
});
after(async () => {
  await session?.close();
});

type Win = { playground: PlaygroundApi };
const view = (page: Page) => page.evaluate(() => (globalThis as unknown as Win).playground.model);

async function choose(page: Page, files: string[]): Promise<PlaygroundApi['model']> {
  await page.setInputFiles('#model-file', files);
  await page.waitForFunction("['loaded', 'error'].includes(globalThis.playground.model.status)", undefined, { timeout: 60_000, polling: 100 });
  return view(page);
}

test('issue 22 item 4: a .keras, an .h5 and a model.json with its weights open in the page, with summary and activations', { skip }, async () => {
  const page = await session.open('');
  const keras = await choose(page, [join(FIXTURES, 'cnn_lisht.keras')]);
  assert.equal(keras.status, 'loaded', keras.error);
  assert.equal(keras.format, 'keras');
  assert.match(keras.summary!, /Conv2D/);
  assert.match(keras.summary!, /Total params: [\d,]+/);
  assert.ok(keras.activations.some((a) => /lisht/i.test(a.activation)), JSON.stringify(keras.activations));
  assert.match((await page.textContent('#model-activations')) ?? '', /lisht/i);

  const h5 = await choose(page, [join(FIXTURES, 'zoo_mlp.h5')]);
  assert.equal(h5.status, 'loaded', h5.error);
  assert.equal(h5.format, 'h5');
  assert.ok(h5.activations.length > 5, `the zoo MLP has a layer per activation: ${JSON.stringify(h5.activations)}`);

  const dir = join(FIXTURES, 'cnn_lisht.tfjs-keras');
  const tfjs = await choose(page, [join(dir, 'model.json'), join(dir, 'group1-shard1of1.bin')]);
  assert.equal(tfjs.status, 'loaded', tfjs.error);
  assert.equal(tfjs.format, 'tfjs');
  assert.equal(tfjs.summary, keras.summary, 'the converter model is the same model');

  // A zoo activation of the model is drawn in the explorer as A.
  await page.click('#model-activations button');
  assert.match(await page.evaluate(() => (globalThis as unknown as Win).playground.state.a), /lisht/);
  await page.close();
  assert.deepEqual(session.problems, []);
});

test('issue 22 item 4: a model the loader refuses, or a model.json without its weights, is a message in the page', { skip }, async () => {
  const page = await session.open('');
  const lambda = await choose(page, [join(FIXTURES, 'refuse_lambda.keras')]);
  assert.equal(lambda.status, 'error');
  assert.match(lambda.error!, /Lambda/);
  assert.match((await page.textContent('#model-message')) ?? '', /Cannot open refuse_lambda\.keras: .*Lambda/);

  const alone = await choose(page, [join(FIXTURES, 'cnn_lisht.tfjs-keras', 'model.json')]);
  assert.equal(alone.status, 'error');
  assert.match(alone.error!, /weight files that were not given with it: group1-shard1of1\.bin/);
  await page.close();
});
