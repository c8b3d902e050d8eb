/**
 * Issue 13 item 7: a confidence interval of an accuracy stays inside [0, 1], in `lisht
 * results`, in the report's table and on its charts' axes; unbounded quantities keep the
 * plain t-interval.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compile } from 'vega-lite';
import { writeReport } from '../../src/experiments/report.js';
import { computeResults, formatResults } from '../../src/experiments/results.js';
import { parseSpecText, planTrials, specHash } from '../../src/experiments/spec.js';
import { PROPORTION, summarize, tQuantile975 } from '../../src/experiments/statistics.js';
import { SqliteStore } from '../../src/experiments/sqlite_store.js';
import { ResultStore } from '../../src/experiments/store.js';
import { bandLineChart, barChartWithErrors, meanCiBars, proportionDomain } from '../../src/reports/index.js';
import { tempDir } from '../helpers/env.js';

/** Final test accuracies by activation, one per seed (29 and 30 of Iris's 30 test images for LiSHT). */
const ACCURACY: Record<string, number[]> = { lisht: [29 / 30, 1], relu: [0.9, 0.91] };

/** A store holding one finished 2-seed Iris experiment with the accuracies above. */
function storeWithResults(dir: string, file: string): SqliteStore {
  const store = ResultStore.open(join(dir, file));
  const spec = parseSpecText('name: ci-test\ndatasets: [iris]\nmodels: [mlp]\nactivations: [lisht, relu]\nseeds: 2\nepochs: 2\nbatchSize: 8\n');
  const { experimentId } = store.registerExperiment(spec, specHash(spec), planTrials(spec));
  const claimant = { pid: process.pid, host: hostname(), pidStart: null, backend: 'cpu', lishtVersion: 'test', gitCommit: null };
  const seen: Record<string, number> = {};
  for (let claim = store.claimTrial(experimentId, claimant, 60_000); claim; claim = store.claimTrial(experimentId, claimant, 60_000)) {
    const { activation } = claim.config;
    const accuracy = ACCURACY[activation]![(seen[activation] = (seen[activation] ?? -1) + 1)]!;
    for (const epoch of [1, 2]) {
      const val = epoch === 2 ? accuracy : accuracy - 0.1;
      store.recordEpoch(claim, { epoch, loss: 0.5 / epoch, accuracy: val, val_loss: 0.5 / epoch, val_accuracy: val, seconds: 0.1 }, 60_000);
    }
    const correct = Math.round(accuracy * 30);
    store.finishTrial(
      claim,
      {
        params: 10,
        trainCount: 120,
        testCount: 30,
        dataSource: 'test',
        dataPath: join(dir, 'absent.csv'),
        testLoss: 0.2,
        testAccuracy: accuracy,
        classes: [{ name: 'setosa', support: 30, correct }],
        confusion: [[correct]],
        samples: [],
      },
      60_000,
    );
  }
  return new SqliteStore(store);
}

/** The numbers on the y axis of an SVG chart drawn by Vega (its tick labels). */
function yTickLabels(svg: string): number[] {
  const axis = svg.slice(svg.indexOf('aria-label="Y-axis'), svg.indexOf('aria-label="X-axis') > svg.indexOf('aria-label="Y-axis') ? svg.indexOf('aria-label="X-axis') : undefined);
  return [...axis.matchAll(/<text[^>]*>(-?\d+(?:\.\d+)?)<\/text>/g)].map((m) => Number(m[1]));
}

describe('confidence intervals of accuracies', () => {
  const tmp = tempDir('lisht-ci-');
  after(() => tmp.remove());

  it('issue 13 item 7: confidence intervals of accuracy stay inside [0, 100] % in `lisht results`', async () => {
    const store = storeWithResults(tmp.path, 'results.db');
    try {
      const [lisht, relu] = await computeResults(store);
      // The t-interval is [77.16, 119.51] %: its lower end stays, its upper end is cut at 1.
      const half = (tQuantile975(1) * Math.abs(ACCURACY.lisht![1]! - ACCURACY.lisht![0]!)) / 2;
      assert.ok(Math.abs(lisht!.ci95![0] - (lisht!.mean! - half)) < 1e-12);
      assert.equal(lisht!.ci95![1], 1);
      assert.equal(lisht!.ci95_clipped, true);
      // An interval inside [0, 1] is the plain t-interval, unflagged.
      assert.equal(relu!.ci95_clipped, false);
      assert.ok(relu!.ci95![0] > 0 && relu!.ci95![1] < 1);
      const table = formatResults([lisht!, relu!], 'markdown');
      assert.match(table, /\| \[77\.16, 100\.00\] \(clipped\) \|/);
      assert.doesNotMatch(table, /119\.51/);
      const csv = formatResults([lisht!], 'csv').split('\n');
      const column = csv[0]!.split(',').indexOf('ci95_clipped');
      assert.equal(csv[1]!.split(',')[column], 'true');
    } finally {
      await store.close();
    }
  });

  it("issue 13 item 7: the report's final-accuracy chart and accuracy curves never run past 1", async () => {
    const store = storeWithResults(tmp.path, 'report.db');
    try {
      const out = join(tmp.path, 'report');
      const result = await writeReport(store, { out });
      const html = readFileSync(result.html, 'utf8');
      assert.match(html, /\[77\.16, 100\.00\] \(clipped\)/);
      const figures = html.split('<figure').slice(1);
      const finalChart = figures.find((f) => f.includes('final-accuracy.png'))!;
      const curve = figures.find((f) => f.includes('test-accuracy.png'))!;
      for (const [what, figure] of [['final accuracy', finalChart], ['test accuracy per epoch', curve]] as const) {
        const ticks = yTickLabels(figure);
        assert.ok(ticks.length >= 3, `${what}: y tick labels found (${ticks.join(', ')})`);
        assert.equal(Math.max(...ticks), 1, `${what}: the axis ends at 1, got ticks ${ticks.join(', ')}`);
      }
    } finally {
      await store.close();
    }
  });

  it('issue 13 item 7: bar and band helpers keep a proportion in [0, 1], other quantities as they are', () => {
    const bars = meanCiBars([{ name: 'lisht', samples: ACCURACY.lisht! }], { bounds: PROPORTION });
    assert.equal(bars[0]!.upper, 1);
    assert.deepEqual(proportionDomain(bars), [0.7, 1]);
    const { spec } = compile(barChartWithErrors(bars, { yDomain: proportionDomain(bars) }));
    const y = spec.scales!.find((s) => s.name === 'y') as { domain: unknown };
    assert.deepEqual(y.domain, [0.7, 1]);
    const band = bandLineChart([{ name: 'lisht', runs: [[0.9, 0.97], [0.99, 1]] }], { bounds: PROPORTION });
    const rows = (band as { data: { values: { upper: number | null }[] } }).data.values;
    assert.ok(rows.every((r) => r.upper! <= 1), JSON.stringify(rows));
    // A loss is unbounded: its interval is the plain t-interval, reaching below 0 if it does.
    const loss = summarize([0.1, 0.5]);
    assert.ok(loss.ciLow < 0);
    assert.equal(loss.ciClipped, false);
  });
});
