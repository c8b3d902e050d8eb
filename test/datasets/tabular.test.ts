import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CAR_FEATURE_NAMES, labelCounts, loadDataset } from '../../src/datasets/index.js';
import { irisData } from '../helpers/archives.js';
import { tempDir } from '../helpers/env.js';

describe('Iris', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it("reads UCI's iris.data (from a folder) and splits it 80/20 per class", async () => {
    const dir = join(tmp.path, 'uci');
    mkdirSync(dir);
    writeFileSync(join(dir, 'iris.data'), irisData(50));
    const ds = await loadDataset('iris', { data: dir });
    assert.equal(ds.kind, 'tabular');
    assert.equal(ds.featureCount, 4);
    assert.deepEqual(labelCounts(ds.train.labels, 3), [40, 40, 40]);
    assert.deepEqual(labelCounts(ds.test.labels, 3), [10, 10, 10]);
    assert.deepEqual(ds.split, { method: 'stratified', from: 'all', testFraction: 0.2, seed: 42 });
    // Rows keep their features and label together: setosa rows start at 4.x, virginica at 6.x.
    for (let r = 0; r < ds.train.count; r++) {
      assert.equal(Math.floor(ds.train.features[r * 4]), 4 + ds.train.labels[r]);
    }
  });

  it("reads scikit-learn's iris.csv and honours the split options", async () => {
    const rows = ['6,4,setosa,versicolor,virginica', '5.1,3.5,1.4,0.2,0', '4.9,3,1.4,0.2,0', '7,3.2,4.7,1.4,1', '6.4,3.2,4.5,1.5,1', '6.3,3.3,6,2.5,2', '5.8,2.7,5.1,1.9,2'];
    const path = join(tmp.path, 'iris.csv');
    writeFileSync(path, rows.join('\n') + '\n');
    const ds = await loadDataset('iris', { data: path, split: { testFraction: 0.5, seed: 3 } });
    assert.equal(ds.train.count, 3);
    assert.equal(ds.test.count, 3);
    assert.deepEqual(labelCounts(ds.test.labels, 3), [1, 1, 1]);
    const firstRows = [...ds.train.features, ...ds.test.features];
    assert.ok(firstRows.includes(Math.fround(5.1)));
  });

  it('refuses a header that announces another row count', async () => {
    const path = join(tmp.path, 'bad-count.csv');
    writeFileSync(path, '5,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n');
    await assert.rejects(loadDataset('iris', { data: path }), /bad-count\.csv: header announces 5 rows but the file holds 1/);
  });
});

describe('Car Evaluation', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('one-hot encodes the six attributes (21 columns), with or without a header', async () => {
    const rows = [
      'vhigh,vhigh,2,2,small,low,unacc',
      'low,low,5more,more,big,high,vgood',
      'med,high,3,4,med,med,acc',
      'high,med,4,4,big,high,good',
      'low,med,2,more,small,high,vgood',
      'vhigh,low,4,2,big,low,unacc',
      'med,med,3,more,med,med,acc',
      'high,high,2,4,small,high,good',
    ];
    for (const [name, text] of [
      ['car.data', rows.join('\n')],
      ['with-header.csv', ['buying,maint,doors,persons,lug_boots,safety,class', ...rows].join('\n')],
    ]) {
      const path = join(tmp.path, name);
      writeFileSync(path, text);
      const ds = await loadDataset('car-evaluation', { data: path, split: { testFraction: 0.5 } });
      assert.equal(ds.featureCount, 21);
      assert.deepEqual(ds.featureNames, CAR_FEATURE_NAMES);
      const all = [ds.train, ds.test].flatMap((s) =>
        Array.from({ length: s.count }, (_, r) => ({ label: s.labels[r], row: [...s.features.subarray(r * 21, (r + 1) * 21)] })),
      );
      assert.equal(all.length, 8);
      assert.deepEqual(labelCounts(ds.test.labels, 4), [1, 1, 1, 1]);
      const vgood = all.find((x) => x.row[CAR_FEATURE_NAMES.indexOf('maint=low')] === 1 && ds.classNames[x.label] === 'vgood')!;
      const hot = vgood.row.flatMap((v, i) => (v === 1 ? [CAR_FEATURE_NAMES[i]] : []));
      assert.deepEqual(hot, ['buying=low', 'maint=low', 'doors=5more', 'persons=more', 'lug_boot=big', 'safety=high']);
      for (const x of all) assert.equal(x.row.reduce((a, b) => a + b, 0), 6);
    }
  });
});
