import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import {
  bandLineChart,
  barChartWithErrors,
  heatmap,
  lineChart,
  meanCiBars,
  seriesColor,
  seriesColors,
  summarize,
  tQuantile975,
  type ChartSpec,
} from '../../src/reports/index.js';

/** The inline rows of a spec built by this module. */
function rows(spec: ChartSpec): Record<string, unknown>[] {
  return (spec as { data: { values: Record<string, unknown>[] } }).data.values;
}

/** Every `{scale: {domain, range}}` colour scale in the spec, found wherever it is nested. */
function colorScales(spec: unknown): { domain: string[]; range: string[] }[] {
  const found: { domain: string[]; range: string[] }[] = [];
  const walk = (node: unknown, key: string): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, key));
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (key === 'color' && obj['scale'] && Array.isArray((obj['scale'] as { range?: unknown }).range)) {
        found.push(obj['scale'] as { domain: string[]; range: string[] });
      }
      for (const [k, v] of Object.entries(obj)) walk(v, k);
    }
  };
  walk(spec, '');
  return found;
}

test('every chart kind compiles to Vega without errors', () => {
  const specs = [
    lineChart([{ name: 'train', y: [0.1, 0.5, 0.7] }, { name: 'test', y: [0.1, 0.4, 0.6] }], { title: 'Model accuracy (lisht)' }),
    bandLineChart([{ name: 'lisht', runs: [[0.1, 0.5], [0.2, 0.6]] }]),
    barChartWithErrors([{ name: 'lisht', value: 0.7, lower: 0.68, upper: 0.72 }, { name: 'relu', value: 0.69 }]),
    heatmap({ values: [[5, 1], [2, 7]], rowLabels: ['cat', 'dog'] }),
  ];
  for (const spec of specs) {
    const { spec: vega } = compile(spec);
    assert.ok(Array.isArray(vega.marks) && vega.marks.length > 0);
  }
});

test('lineChart: x defaults to 1-based epochs, titles and a fixed y domain are used', () => {
  const spec = lineChart([{ name: 'train', y: [0.2, 0.4] }], {
    title: 'Model accuracy (lisht)',
    xTitle: 'epoch',
    yTitle: 'accuracy',
    yDomain: [0, 1],
  });
  assert.deepEqual(rows(spec), [
    { series: 'train', x: 1, y: 0.2 },
    { series: 'train', x: 2, y: 0.4 },
  ]);
  const s = spec as unknown as {
    title: { text: string };
    mark: { clip: boolean };
    encoding: { x: { title: string }; y: { title: string; scale: { domain: number[] } } };
  };
  assert.equal(s.title.text, 'Model accuracy (lisht)');
  assert.equal(s.encoding.x.title, 'epoch');
  assert.equal(s.encoding.y.title, 'accuracy');
  assert.deepEqual(s.encoding.y.scale.domain, [0, 1]);
  assert.equal(s.mark.clip, true, 'lines outside a fixed domain must be clipped');
});

test('lineChart: non-finite values become null gaps so the spec survives JSON', () => {
  const spec = lineChart([{ name: 'loss', x: [1, 2, 3], y: [1, NaN, Infinity] }]);
  assert.deepEqual(rows(spec).map((r) => r['y']), [1, null, null]);
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
});

test('lineChart rejects mismatched x/y and duplicate series', () => {
  assert.throws(() => lineChart([{ name: 'a', x: [1, 2], y: [1] }]), /1 y values/);
  assert.throws(() => lineChart([{ name: 'a', y: [1] }, { name: 'a', y: [2] }]), /duplicate series/);
});

test('a series keeps its colour across charts, whatever else is plotted', () => {
  const alone = colorScales(lineChart([{ name: 'lisht', y: [1] }]))[0]!;
  const together = colorScales(lineChart([{ name: 'relu', y: [1] }, { name: 'swish', y: [1] }, { name: 'lisht', y: [1] }]))[0]!;
  const bars = colorScales(barChartWithErrors([{ name: 'relu', value: 1 }, { name: 'lisht', value: 1 }]))[0]!;
  const lisht = alone.range[alone.domain.indexOf('lisht')];
  assert.equal(lisht, seriesColor('lisht'));
  assert.equal(together.range[together.domain.indexOf('lisht')], lisht);
  assert.equal(bars.range[bars.domain.indexOf('lisht')], lisht);
  assert.equal(seriesColor('LeakyReLU'), seriesColor('leaky_relu'));
});

test('seriesColors: unknown names are stable, order-independent, and distinct within a chart', () => {
  const names = Array.from({ length: 10 }, (_, i) => `custom${i}`);
  const forward = seriesColors(names);
  const backward = seriesColors([...names].reverse()).reverse();
  assert.deepEqual(forward, backward);
  assert.equal(new Set(forward).size, names.length);
  assert.equal(seriesColors(['custom3'])[0], seriesColor('custom3'));
  // Unknown names never take a colour a known name in the same chart has.
  const withKnown = seriesColors(['lisht', 'relu', ...names]);
  assert.equal(new Set(withKnown).size, withKnown.length);
});

test('derivatives can share their function colour and be dashed, with one legend', () => {
  const spec = lineChart(
    [
      { name: 'lisht', x: [-1, 0, 1], y: [0.76, 0, 0.76] },
      { name: "lisht'", x: [-1, 0, 1], y: [-1.18, 0, 1.18], colorAs: 'lisht', dashed: true },
    ],
    { xDomain: [-4, 4] },
  );
  const enc = (spec as unknown as { encoding: Record<string, { scale: { range: unknown[] } }> }).encoding;
  assert.deepEqual(enc['color']!.scale.range, [seriesColor('lisht'), seriesColor('lisht')]);
  assert.deepEqual(enc['strokeDash']!.scale.range, [[1, 0], [6, 4]]);
  const { spec: vega } = compile(spec);
  assert.equal(vega.legends?.length ?? 0, 1);
});

test('bandLineChart: mean line, ±1 sd or min/max band, and a subtitle that says which', () => {
  const runs = [[1, 2], [3, 4], [5]];
  const std = bandLineChart([{ name: 'lisht', runs }]);
  const [first, second] = rows(std);
  assert.equal(first!['y'], 3);
  assert.equal(first!['lower'], 1);
  assert.equal(first!['upper'], 5);
  assert.equal(second!['y'], 3, 'the second epoch averages the two runs that reached it');
  assert.match((std as { title: { subtitle: string } }).title.subtitle, /±1 sd over 3 runs/);
  const minmax = bandLineChart([{ name: 'lisht', runs }], { band: 'minmax' });
  assert.deepEqual([rows(minmax)[1]!['lower'], rows(minmax)[1]!['upper']], [2, 4]);
  assert.match((minmax as { title: { subtitle: string } }).title.subtitle, /min–max/);
  // One run has no spread: the band is a gap, not a zero-width lie.
  assert.equal(rows(bandLineChart([{ name: 'a', runs: [[1]] }]))[0]!['lower'], null);
});

test('summarize and the t quantile give textbook values', () => {
  const s = summarize([1, 2, 3, NaN]);
  assert.equal(s.n, 3);
  assert.equal(s.mean, 2);
  assert.equal(s.std, 1);
  assert.ok(Math.abs(s.ciHigh - (2 + 4.3027 / Math.sqrt(3))) < 1e-9);
  assert.ok(Number.isNaN(summarize([1]).ciLow));
  assert.equal(tQuantile975(1), 12.7062);
  // Expansion beyond the table: t(0.975, 40) = 2.0211, t(0.975, 120) = 1.9799.
  assert.ok(Math.abs(tQuantile975(40) - 2.0211) < 2e-4);
  assert.ok(Math.abs(tQuantile975(120) - 1.9799) < 2e-4);
  assert.ok(tQuantile975(31) < tQuantile975(30));
  assert.throws(() => tQuantile975(0), RangeError);
});

test('meanCiBars: mean with a 95% CI, no error bar from a single sample', () => {
  const [a, b] = meanCiBars([
    { name: 'lisht', samples: [0.7, 0.72, 0.74] },
    { name: 'relu', samples: [0.7] },
  ]);
  assert.ok(Math.abs(a!.value - 0.72) < 1e-12);
  assert.ok(a!.lower! < 0.7 && a!.upper! > 0.74);
  assert.deepEqual(b, { name: 'relu', value: 0.7 });
});

test('heatmap: one cell per matrix entry, labels in order, shape errors caught', () => {
  const spec = heatmap({ values: [[5, 1], [2, 7]], rowLabels: ['cat', 'dog'] }, { title: 'Confusion matrix (lisht)' });
  assert.deepEqual(rows(spec), [
    { row: 'cat', column: 'cat', value: 5 },
    { row: 'cat', column: 'dog', value: 1 },
    { row: 'dog', column: 'cat', value: 2 },
    { row: 'dog', column: 'dog', value: 7 },
  ]);
  assert.throws(() => heatmap({ values: [[1, 2]], rowLabels: ['a', 'b'] }), /1 matrix rows/);
  assert.throws(() => heatmap({ values: [[1], [2]], rowLabels: ['a', 'b'] }), /row 0 has 1 values/);
  assert.throws(() => heatmap({ values: [[1]], rowLabels: ['a'], columnLabels: ['x', 'y'] }), /row 0/);
});
