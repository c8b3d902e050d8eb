import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChart, renderPng, renderSvg, svgToPng, type ChartSpec } from '../../src/reports/index.js';
import { darkPixels, decode, differingPixels, PNG_SIGNATURE } from './png-helpers.js';

const epochs = Array.from({ length: 50 }, (_, i) => i + 1);
const accuracy = (title: string): ChartSpec =>
  lineChart(
    [
      { name: 'train', y: epochs.map((e) => 1 - 0.9 * Math.exp(-e / 10)) },
      { name: 'test', y: epochs.map((e) => 0.9 - 0.8 * Math.exp(-e / 10)) },
    ],
    { title, xTitle: 'epoch', yTitle: 'accuracy', yDomain: [0, 1] },
  );

function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  assert.ok(m, 'svg has width and height');
  return { width: Number(m[1]), height: Number(m[2]) };
}

test('renderSvg: a standalone SVG with the title and axis titles as text', async () => {
  const svg = await renderSvg(accuracy('Model accuracy (lisht)'));
  assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, />Model accuracy \(lisht\)</);
  assert.match(svg, />epoch</);
  assert.match(svg, />accuracy</);
  assert.match(svg, />train</);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
});

test('renderPng: a PNG of the SVG size times the scale', async () => {
  const spec = accuracy('Model accuracy (lisht)');
  const { width, height } = svgSize(await renderSvg(spec));
  for (const scale of [1, 2]) {
    const png = await renderPng(spec, { scale });
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
    const img = decode(png);
    assert.equal(img.width, Math.round(width * scale));
    assert.equal(img.height, Math.round(height * scale));
  }
  await assert.rejects(renderPng(spec, { scale: 0 }), RangeError);
});

test('renderPng draws the title text', async () => {
  // A zero-width space keeps the title's layout (its height does not depend on the text), so
  // the two PNGs can differ only where the title's glyphs are drawn.
  const titled = decode(await renderPng(accuracy('Model accuracy (lisht)'), { scale: 1 }));
  const blank = decode(await renderPng(accuracy('\u200b'), { scale: 1 }));
  assert.deepEqual([titled.width, titled.height], [blank.width, blank.height]);
  const titleBand = 26;
  assert.ok(differingPixels(titled, blank, 0, titleBand) > 200, 'title glyphs are drawn');
  assert.equal(differingPixels(titled, blank, titleBand), 0, 'nothing else changes');
});

test('text in any font family is drawn with the bundled font', async () => {
  const text = (t: string): ChartSpec => ({
    data: { values: [{ t }] },
    mark: { type: 'text', fontSize: 30, font: 'Some Font Nobody Has' },
    encoding: { text: { field: 't', type: 'nominal' } },
    width: 300,
    height: 60,
    background: 'white',
    config: { view: { stroke: null } },
  });
  const withText = decode(await renderPng(text('Hello LiSHT'), { scale: 1 }));
  const without = decode(await renderPng(text(''), { scale: 1 }));
  assert.equal(darkPixels(without), 0);
  assert.ok(darkPixels(withText) > 300, `expected glyph pixels, got ${darkPixels(withText)}`);
});

test('svgToPng renders SVG markup that did not come from Vega', async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="black"/></svg>';
  const img = decode(await svgToPng(svg, { scale: 3 }));
  assert.deepEqual([img.width, img.height], [120, 60]);
  assert.equal(darkPixels(img), 120 * 60);
});

test('charts never load anything: data URLs are refused and nothing is fetched', async (t) => {
  const fetchMock = t.mock.method(globalThis, 'fetch', async () => {
    throw new Error('network used');
  });
  // Vega warns about the empty data; expected here, noise in the test output.
  t.mock.method(console, 'warn', () => {});
  for (const url of ['https://example.com/data.csv', 'data/local.csv']) {
    const spec: ChartSpec = { data: { url }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } };
    await assert.rejects(renderSvg(spec), /refusing to load/);
  }
  assert.equal(fetchMock.mock.callCount(), 0);
});
