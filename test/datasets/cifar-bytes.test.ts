/**
 * The in-memory CIFAR parser (the playground's) against the streaming one (Node's): the same
 * images and labels from the same archive, and the same refusals of damaged input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseCifarArchive } from '../../src/datasets/cifar_bytes.js';
import { loadDataset } from '../../src/datasets/index.js';
import type { ImageDataset } from '../../src/datasets/types.js';
import { cifar10Fixture, concat, tarBytes, tarGz } from '../helpers/archives.js';
import { SHARED_DATASETS } from '../helpers/env.js';

const SUBSET = join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz');

test('a fixture archive parses in memory, gzipped or not, to the records it holds', async () => {
  const fixture = cifar10Fixture({ perBatch: [2, 3, 2, 2, 2], test: 3 });
  for (const bytes of [tarGz(fixture.entries), tarBytes(fixture.entries)]) {
    const ds = await parseCifarArchive('drop.tar.gz', bytes);
    assert.deepEqual(ds.train.images, concat(fixture.train.map((r) => r.hwc)));
    assert.deepEqual(ds.train.labels, concat(fixture.train.map((r) => r.labels)));
    assert.deepEqual(ds.test.images, fixture.test.hwc);
    assert.equal(ds.classNames[0], 'airplane');
  }
});

test('the real subset parses in memory to exactly what the streaming loader reads', { skip: existsSync(SUBSET) ? false : `${SUBSET} not found` }, async () => {
  const fromBytes = await parseCifarArchive('subset', new Uint8Array(readFileSync(SUBSET)));
  const fromStream = (await loadDataset('cifar10', { data: SUBSET })) as ImageDataset;
  assert.equal(fromBytes.train.count, 10_000);
  assert.equal(fromBytes.test.count, 2_000);
  assert.ok(Buffer.from(fromBytes.train.images).equals(Buffer.from(fromStream.train.images)));
  assert.ok(Buffer.from(fromBytes.test.labels).equals(Buffer.from(fromStream.test.labels)));
});

test('damaged or foreign bytes are refused with a message naming the file and the problem', async () => {
  const fixture = cifar10Fixture();
  const tar = tarBytes(fixture.entries);
  const gz = gzipSync(tar);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, ...new Uint8Array(2000)]), /x\.bin: not a tar archive/],
    ['a truncated gzip stream', gz.subarray(0, Math.floor(gz.length / 2)), /x\.bin: truncated or corrupt gzip data/],
    ['a truncated tar', tar.subarray(0, 2048 + 700), /x\.bin: truncated archive/],
    ['a tar of other files', tarBytes([{ path: 'notes/a.txt', data: Buffer.from('hello') }]), /not a cifar10 binary archive/i],
    ['a symbolic link', tarBytes([{ path: 'cifar-10-batches-bin/test_batch.bin', type: 'SymbolicLink', linkpath: '/etc/passwd' }]), /symbolic link/],
    ['a member climbing out', tarBytes([{ path: '../cifar-10-batches-bin/x.bin', data: Buffer.from('x') }]), /climbs out/],
  ];
  for (const [what, bytes, message] of cases) {
    await assert.rejects(parseCifarArchive('x.bin', bytes), message, what);
  }
});
