import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { labelCounts, loadDataset } from '../../src/datasets/index.js';
import { writeMnistFolder } from '../helpers/archives.js';
import { tempDir } from '../helpers/env.js';

describe('MNIST-format IDX folders', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  for (const gzip of [true, false]) {
    it(`reads train and test from ${gzip ? 'gzipped' : 'plain'} IDX files`, async () => {
      const dir = join(tmp.path, gzip ? 'gz' : 'plain');
      const expected = writeMnistFolder(dir, { gzip });
      const ds = await loadDataset('mnist', { data: dir });
      assert.equal(ds.kind, 'image');
      assert.deepEqual(ds.imageShape, [28, 28, 1]);
      assert.equal(ds.train.count, 30);
      assert.equal(ds.test.count, 20);
      assert.deepEqual(ds.train.images, expected.trainImages);
      assert.deepEqual(ds.test.labels, expected.testLabels);
      // A view, not a Buffer: slice() must copy as for any Uint8Array.
      assert.equal(Object.getPrototypeOf(ds.train.images), Uint8Array.prototype);
      assert.deepEqual(ds.split, { method: 'official' });
      assert.equal(ds.source.verification, 'structure');
    });
  }

  it('Fashion-MNIST has its own class names', async () => {
    const dir = join(tmp.path, 'fashion');
    writeMnistFolder(dir);
    const ds = await loadDataset('fashion-mnist', { data: dir });
    assert.equal(ds.classNames[9], 'Ankle boot');
  });

  it('with fromTestSet, splits the t10k files (stratified, seeded) and says so', async () => {
    const dir = join(tmp.path, 't10k');
    const expected = writeMnistFolder(dir, { onlyTest: true, test: 100 });
    const ds = await loadDataset('mnist', { data: dir, fromTestSet: true, split: { testFraction: 0.3, seed: 1 } });
    assert.equal(ds.train.count, 70);
    assert.equal(ds.test.count, 30);
    assert.deepEqual(ds.split, { method: 'stratified', from: 'official-test', testFraction: 0.3, seed: 1 });
    assert.match(ds.source.notes.join('\n'), /both drawn from the official mnist test set/);
    const all = labelCounts(expected.testLabels, 10);
    const got = labelCounts(ds.train.labels, 10).map((c, i) => c + labelCounts(ds.test.labels, 10)[i]);
    assert.deepEqual(got, all);
    // Each image still carries its own label.
    for (let r = 0; r < ds.test.count; r++) {
      const image = ds.test.images.subarray(r * 784, (r + 1) * 784);
      let found = -1;
      for (let k = 0; k < 100 && found < 0; k++) {
        if (expected.testImages.subarray(k * 784, (k + 1) * 784).every((v, i) => v === image[i])) found = k;
      }
      assert.equal(ds.test.labels[r], expected.testLabels[found]);
    }
    const again = await loadDataset('mnist', { data: dir, fromTestSet: true, split: { testFraction: 0.3, seed: 1 } });
    assert.deepEqual(again.test.images, ds.test.images);
  });
});
