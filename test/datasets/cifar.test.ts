import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CIFAR100_CLASS_NAMES, loadDataset, summarizeDataset } from '../../src/datasets/index.js';
import { cifar10Fixture, cifarRecords, concat, tarBytes, tarGz, type Cifar10Fixture } from '../helpers/archives.js';
import { tempDir } from '../helpers/env.js';

describe('CIFAR-10 from a binary archive', () => {
  const tmp = tempDir();
  let fixture: Cifar10Fixture;
  let archive: string;

  before(() => {
    fixture = cifar10Fixture();
    archive = join(tmp.path, 'cifar-10-binary.tar.gz');
    writeFileSync(archive, tarGz(fixture.entries));
  });
  after(() => tmp.remove());

  it('decodes every record to HWC pixels and labels, training batches in numeric order', async () => {
    const ds = await loadDataset('cifar10', { data: archive });
    assert.equal(ds.kind, 'image');
    assert.deepEqual(ds.imageShape, [32, 32, 3]);
    assert.equal(ds.train.count, 15);
    assert.equal(ds.test.count, 4);
    assert.ok(ds.train.images instanceof Uint8Array && !(ds.train.images instanceof Buffer));
    assert.deepEqual(ds.train.images, concat(fixture.train.map((b) => b.hwc)));
    assert.deepEqual(ds.train.labels, concat(fixture.train.map((b) => b.labels)));
    assert.deepEqual(ds.test.images, fixture.test.hwc);
    assert.deepEqual(ds.test.labels, fixture.test.labels);
    assert.equal(ds.classNames[9], 'truck');
    assert.deepEqual(ds.split, { method: 'official' });
    assert.equal(ds.source.verification, 'structure');
    assert.match(ds.source.notes.join(), /not the publisher's file/);
  });

  it('reads an uncompressed .tar the same way', async () => {
    const plain = join(tmp.path, 'cifar.tar');
    writeFileSync(plain, tarBytes(fixture.entries));
    const ds = await loadDataset('cifar10', { data: plain });
    assert.deepEqual(ds.train.labels, concat(fixture.train.map((b) => b.labels)));
  });

  it('assembles batches of different sizes in order', async () => {
    const uneven = cifar10Fixture({ perBatch: [2, 4, 1, 3, 2], test: 3 });
    const path = join(tmp.path, 'uneven.tar.gz');
    writeFileSync(path, tarGz(uneven.entries));
    const ds = await loadDataset('cifar10', { data: path });
    assert.equal(ds.train.count, 12);
    assert.deepEqual(ds.train.images, concat(uneven.train.map((b) => b.hwc)));
    assert.deepEqual(ds.train.labels, concat(uneven.train.map((b) => b.labels)));
  });

  it('reads the extracted folder, given as the folder or its parent', async () => {
    const parent = join(tmp.path, 'extracted');
    const folder = join(parent, 'cifar-10-batches-bin');
    mkdirSync(folder, { recursive: true });
    for (const entry of fixture.entries) {
      if (entry.data) writeFileSync(join(parent, entry.path), entry.data);
    }
    for (const path of [parent, folder]) {
      const ds = await loadDataset('cifar10', { data: path });
      assert.deepEqual(ds.train.images, concat(fixture.train.map((b) => b.hwc)));
      assert.deepEqual(ds.test.labels, fixture.test.labels);
    }
  });

  it('summarises label counts and per-channel means on the 0..255 scale', async () => {
    const ds = await loadDataset('cifar10', { data: archive });
    const summary = summarizeDataset(ds);
    const labels = concat(fixture.train.map((b) => b.labels));
    const expectedCounts = new Array(10).fill(0);
    for (const l of labels) expectedCounts[l]++;
    assert.deepEqual(summary.train.label_counts, expectedCounts);
    const hwc = concat(fixture.train.map((b) => b.hwc));
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let i = c; i < hwc.length; i += 3) sum += hwc[i];
      assert.ok(Math.abs(summary.train.pixel_mean![c] - sum / (hwc.length / 3)) < 1e-3);
    }
  });
});

describe('CIFAR-100 from a binary archive', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('reads fine labels as labels, coarse labels and both name lists', async () => {
    const train = cifarRecords(6, { seed: 11, coarse: true });
    const test = cifarRecords(3, { seed: 12, coarse: true });
    const fine = CIFAR100_CLASS_NAMES.map((n) => n.toUpperCase()).join('\n') + '\n';
    const coarse = Array.from({ length: 20 }, (_, i) => `super_${i}`).join('\n') + '\n';
    const path = join(tmp.path, 'cifar-100-binary.tar.gz');
    writeFileSync(
      path,
      tarGz([
        { path: 'cifar-100-binary/coarse_label_names.txt', data: Buffer.from(coarse) },
        { path: 'cifar-100-binary/fine_label_names.txt', data: Buffer.from(fine) },
        { path: 'cifar-100-binary/test.bin', data: test.bytes },
        { path: 'cifar-100-binary/train.bin', data: train.bytes },
      ]),
    );
    const ds = await loadDataset('cifar100', { data: path });
    assert.equal(ds.kind, 'image');
    assert.deepEqual(ds.train.labels, train.labels);
    assert.deepEqual(ds.train.coarseLabels, train.coarseLabels);
    assert.deepEqual(ds.test.coarseLabels, test.coarseLabels);
    assert.deepEqual(ds.train.images, train.hwc);
    // Names come from the archive, not from the built-in list.
    assert.equal(ds.classNames[0], 'APPLE');
    assert.equal(ds.coarseClassNames?.[19], 'super_19');
    const summary = summarizeDataset(ds);
    assert.equal(summary.train.coarse_label_counts?.length, 20);
    assert.equal(summary.train.label_counts.length, 100);
  });
});
