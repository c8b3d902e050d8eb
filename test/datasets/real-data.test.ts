/**
 * Checks on the real files in ../shared/datasets (skipped where that folder is absent).
 * Expected values are computed here independently of the loaders, or are published facts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it, type TestContext } from 'node:test';
import { datasetInfo, labelCounts, loadDataset } from '../../src/datasets/index.js';
import { verifyCarDownload } from '../../src/datasets/car_evaluation.js';
import { REPO_ROOT, runCli, SHARED_DATASETS } from '../helpers/env.js';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

function sharedFile(t: TestContext, name: string): string | undefined {
  const path = join(SHARED_DATASETS, name);
  if (existsSync(path)) return path;
  t.skip(`${path} is absent (the real data sets live in ../shared/datasets beside the repository)`);
  return undefined;
}

/** Label counts of every CIFAR-10 batch member, by a plain walk over the tar headers. */
function cifarLabelCountsByHand(archive: string): { train: number[]; test: number[] } {
  const tar = gunzipSync(readFileSync(archive));
  const train = new Array(10).fill(0);
  const test = new Array(10).fill(0);
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = tar.toString('latin1', at, at + 100).replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(tar.toString('latin1', at + 124, at + 136).replace(/\0.*$/s, '').trim(), 8);
    const data = at + 512;
    if (/_batch(_\d)?\.bin$/.test(name)) {
      const counts = name.includes('test') ? test : train;
      for (let r = 0; r < size; r += 3073) counts[tar[data + r]]++;
    }
    at = data + Math.ceil(size / 512) * 512;
  }
  return { train, test };
}

describe('real data in ../shared/datasets', () => {
  it('`lisht datasets info cifar10 --data <subset> --json`: 10000 train, 2000 test, the file\'s label counts', async (t) => {
    const archive = sharedFile(t, 'cifar-10-subset-binary.tar.gz');
    if (!archive) return;
    const expected = cifarLabelCountsByHand(archive);
    // As the issue words it: a path relative to the repository root.
    const r = await runCli(['datasets', 'info', 'cifar10', '--data', relative(REPO_ROOT, archive), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as {
      name: string;
      class_names: string[];
      train: { count: number; label_counts: number[]; pixel_mean: number[] };
      test: { count: number; label_counts: number[] };
      source: { verification: string };
    };
    assert.equal(info.name, 'cifar10');
    assert.equal(info.train.count, 10000);
    assert.equal(info.test.count, 2000);
    assert.deepEqual(info.train.label_counts, expected.train);
    assert.deepEqual(info.test.label_counts, expected.test);
    assert.equal(info.class_names.length, 10);
    assert.equal(info.train.pixel_mean.length, 3);
    for (const m of info.train.pixel_mean) assert.ok(m > 90 && m < 140, `pixel mean ${m} is not CIFAR-like`);
    // The subset is not the publisher's archive: read by structure, not refused.
    assert.equal(info.source.verification, 'structure');
  });

  it('MNIST t10k: the decompressed files match the published MD5s (the .gz files are re-compressed copies)', async (t) => {
    const dir = sharedFile(t, 'mnist-t10k');
    if (!dir) return;
    for (const name of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
      const recorded = datasetInfo('mnist').files.find((f) => f.fileName === name)!;
      const raw: Buffer = readFileSync(join(dir, name));
      assert.equal(raw.length, recorded.sizeBytes);
      assert.equal(md5(gunzipSync(raw)), recorded.contentMd5, `${name}: contents differ from the official file`);
    }
  });

  it('MNIST t10k only: a clear error without --from-test-set, a stratified 8000/2000 split with it', async (t) => {
    const dir = sharedFile(t, 'mnist-t10k');
    if (!dir) return;
    await assert.rejects(loadDataset('mnist', { data: dir }), /missing mnist files train-images-idx3-ubyte\.gz, train-labels-idx1-ubyte\.gz/);
    const ds = await loadDataset('mnist', { data: dir, fromTestSet: true });
    assert.equal(ds.train.count, 8000);
    assert.equal(ds.test.count, 2000);
    assert.equal(ds.source.verification, 'content-checksum');
    const total = labelCounts(ds.train.labels, 10).map((c, i) => c + labelCounts(ds.test.labels, 10)[i]);
    // The published class distribution of the MNIST test set.
    assert.deepEqual(total, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('Iris (scikit-learn CSV): 150 rows, 50 per species', async (t) => {
    const path = sharedFile(t, 'iris-sklearn.csv');
    if (!path) return;
    const ds = await loadDataset('iris', { data: path });
    assert.deepEqual(labelCounts(ds.train.labels, 3).map((c, i) => c + labelCounts(ds.test.labels, 3)[i]), [50, 50, 50]);
  });

  it('Car Evaluation: 1728 rows with the published class counts', async (t) => {
    const path = sharedFile(t, 'car-evaluation.csv');
    if (!path) return;
    await verifyCarDownload(path);
    const ds = await loadDataset('car-evaluation', { data: path });
    assert.equal(ds.train.count + ds.test.count, 1728);
    assert.deepEqual(labelCounts(ds.test.labels, 4), [242, 77, 14, 13]);
  });
});
