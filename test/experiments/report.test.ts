import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import '../../src/register.js';
import { writeReport, type ReportResult } from '../../src/experiments/report.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { openStore } from '../../src/experiments/open_store.js';
import { tempDir } from '../helpers/env.js';
import { cifarFixture, irisPath, irisSpec, writeSpec } from './helpers/experiments.js';

const CHROMIUM = '/usr/bin/chromium';
const skipNoChromium = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found; install Debian's chromium (.ci/chromium-deps.sh) to open the report in a browser`;

const dir = tempDir('lisht-report-');
const db = join(dir.path, 'r.db');
const out = join(dir.path, 'report');
let report: ReportResult;

before(async () => {
  // Two experiments in one store: Iris (tabular) and a tiny CIFAR-10 (images, for samples).
  const cifar = cifarFixture(dir.path);
  const cifarSpec = writeSpec(
    dir.path,
    'cifar.yaml',
    `name: cifar-tiny
datasets: [cifar10]
models: [seed-cnn]
activations: [lisht, relu]
seeds: 2
epochs: 2
batchSize: 20
samples: 8
augment: true
schedule: { name: cosine }
backend: wasm
`,
  );
  for (const spec of [irisSpec(dir.path, { epochs: 4 }), cifarSpec]) {
    // Data given on the command line only: the report finds the images through the path
    // the trials recorded.
    const summary = await runExperiment({ spec, db, workers: 2, data: spec === cifarSpec ? { cifar10: cifar } : { iris: irisPath(dir.path) } });
    assert.equal(summary.done, summary.trials);
  }
  const store = await openStore(db, { readonly: true });
  try {
    report = await writeReport(store, { out });
  } finally {
    await store.close();
  }
});

after(() => dir.remove());

test('the report writes the HTML, PNG copies of every chart and the tables', () => {
  assert.deepEqual(report.notes, []);
  for (const f of ['report.html', 'results.md', 'results.csv', 'results.json']) assert.ok(report.files.includes(f) && existsSync(join(out, f)), f);
  const pngs = readdirSync(join(out, 'charts')).sort();
  assert.equal(pngs.length, report.charts);
  for (const slug of ['iris-test-iris-mlp', 'cifar-tiny-cifar10-seed-cnn']) {
    for (const chart of ['test-accuracy', 'test-loss', 'train-loss', 'final-accuracy', 'confusion-lisht', 'confusion-relu', 'gradient-flow']) assert.ok(pngs.includes(`${slug}-${chart}.png`), `${slug}-${chart}`);
  }
  for (const f of ['activations.png', 'activation-derivatives.png', 'cifar-tiny-cifar10-seed-cnn-samples-lisht.png', 'cifar-tiny-cifar10-seed-cnn-samples-relu.png']) assert.ok(pngs.includes(f), f);
  assert.ok(!pngs.some((f) => f.startsWith('iris-test-iris-mlp-samples')), 'no sample images for tabular data');
  for (const f of pngs) {
    const png = PNG.sync.read(readFileSync(join(out, 'charts', f)));
    assert.ok(png.width >= 100 && png.height >= 100, `${f}: ${png.width}x${png.height}`);
    // A chart is more than a blank page: many distinct colours.
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 7) colours.add(png.data.readUInt32BE(i));
    assert.ok(colours.size > 20, `${f} looks blank (${colours.size} colours)`);
  }
  const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { experiment: string; activation: string; n: number }[];
  assert.deepEqual(json.map((r) => `${r.experiment}/${r.activation}/${r.n}`), ['iris-test/lisht/3', 'iris-test/relu/3', 'cifar-tiny/lisht/2', 'cifar-tiny/relu/2']);
  assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /^\| experiment +\| dataset/);
  assert.match(readFileSync(join(out, 'results.csv'), 'utf8'), /^experiment,dataset,model,activation,n,/);

  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.equal((html.match(/<figure><svg/g) ?? []).length, report.charts, 'every chart is embedded');
  assert.doesNotMatch(html, /<script|(?:src|href)="https?:/, 'self-contained, no scripts');
  for (const heading of ['Results', 'iris-test: iris / mlp', 'cifar-tiny: cifar10 / seed-cnn: classes', 'cifar-tiny: cifar10 / seed-cnn: sample predictions', 'cifar-tiny: cifar10 / seed-cnn: gradient flow', 'iris-test: iris / mlp: gradient flow', 'Activation functions', 'iris-test: trials', 'iris-test: setup']) {
    assert.ok(html.includes(`<h2>${heading}</h2>`), heading);
  }
  assert.match(html, /Per-class test accuracy/);
  assert.match(html, /One trial per activation: lisht seed 1, relu seed 1\./);
  assert.match(html, /pred: \w+/);
});

test('the report opens in headless Chromium with the network off: no console errors, every chart drawn', { skip: skipNoChromium, timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'lisht-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    offline: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    // Anything beyond the page itself would be a network fetch: refuse it and notice.
    const url = pathToFileURL(report.html).href;
    await context.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url, { waitUntil: 'load' });
    const figures = await page.evaluate(async () => {
      const out: { width: number; height: number; marks: number; images: number; decoded: number; text: string }[] = [];
      for (const svg of Array.from(document.querySelectorAll('figure > svg'))) {
        const box = svg.getBoundingClientRect();
        const images = Array.from(svg.querySelectorAll('image'));
        let decoded = 0;
        for (const image of images) {
          const img = new Image();
          img.src = image.getAttribute('href') ?? '';
          try {
            await img.decode();
            if (img.naturalWidth > 0) decoded++;
          } catch {
            // counted as not decoded
          }
        }
        out.push({
          width: box.width,
          height: box.height,
          marks: svg.querySelectorAll('path, rect, line, image').length,
          images: images.length,
          decoded,
          text: (svg.textContent ?? '').slice(0, 60),
        });
      }
      return out;
    });
    assert.equal(figures.length, report.charts, 'every chart is in the page');
    for (const f of figures) {
      assert.ok(f.width > 50 && f.height > 50, `chart "${f.text}" drawn at ${f.width}x${f.height}`);
      assert.ok(f.marks > 5, `chart "${f.text}" has marks`);
      assert.equal(f.decoded, f.images, `chart "${f.text}": every embedded image decodes`);
    }
    assert.ok(figures.filter((f) => f.images > 0).length >= 2, 'the sample galleries show images');
    const tables = await page.evaluate(() => document.querySelectorAll('table tbody tr').length);
    assert.ok(tables > 10, `tables rendered (${tables} rows)`);
    assert.deepEqual(problems, [], 'no console errors or warnings');
    assert.deepEqual(requests.filter((r) => r !== url), [], 'no requests besides the page');
  } finally {
    await context.close();
  }
});
