import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { loadDataset } from '../../src/datasets/index.js';
import { UserError } from '../../src/errors.js';
import { EXIT } from '../../src/exit_codes.js';
import {
  cifar10Fixture,
  cifarRecords,
  idxBytes,
  irisData,
  noiseBytes,
  tarBytes,
  tarGz,
  tweetRow,
  writeMnistFolder,
  writeZip,
  type TarEntry,
} from '../helpers/archives.js';
import { listTree, runCli, tempDir } from '../helpers/env.js';

/** Asserts that `promise` rejects with a UserError whose message matches every pattern. */
async function rejectsWith(promise: Promise<unknown>, patterns: RegExp[], exitCode?: number): Promise<UserError> {
  const err = await promise.then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
  for (const p of patterns) assert.match(err.message, p);
  if (exitCode !== undefined) assert.equal(err.exitCode, exitCode);
  return err;
}

const tmp = tempDir();
after(() => tmp.remove());
let n = 0;
function file(name: string, bytes: Uint8Array | string): string {
  const dir = join(tmp.path, String(n++));
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function withEntries(change: (entries: TarEntry[]) => TarEntry[]): Buffer {
  return tarGz(change(cifar10Fixture().entries));
}

describe('bad archives', () => {
  it('truncated .tar.gz: names the file and says truncated', async () => {
    const whole = tarGz(cifar10Fixture().entries);
    const path = file('cut.tar.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
    await rejectsWith(loadDataset('cifar10', { data: path }), [/cut\.tar\.gz/, /truncated/], EXIT.DATA);
  });

  it('tar cut short inside a complete gzip stream: truncated', async () => {
    const tar = tarBytes(cifar10Fixture().entries);
    const path = file('short.tar.gz', gzipSync(tar.subarray(0, 5000)));
    await rejectsWith(loadDataset('cifar10', { data: path }), [/short\.tar\.gz/, /truncated/i], EXIT.DATA);
  });

  it('not an archive at all', async () => {
    const path = file('noise.tar.gz', gzipSync(noiseBytes(4096, 3)));
    await rejectsWith(loadDataset('cifar10', { data: path }), [/noise\.tar\.gz/, /not a valid tar archive/]);
  });

  it('a record of the wrong size: names the member and the leftover bytes', async () => {
    const bytes = withEntries((entries) =>
      entries.map((e) => (e.path.endsWith('data_batch_3.bin') ? { ...e, data: e.data!.subarray(0, 3073 * 2 + 100) } : e)),
    );
    const path = file('c.tar.gz', bytes);
    await rejectsWith(
      loadDataset('cifar10', { data: path }),
      [/c\.tar\.gz/, /data_batch_3\.bin is 6246 bytes, not a whole number of 3073-byte records/],
      EXIT.DATA,
    );
  });

  it('a label out of range: names the member, the record and the label', async () => {
    const bytes = withEntries((entries) =>
      entries.map((e) => {
        if (!e.path.endsWith('test_batch.bin')) return e;
        const data = Uint8Array.from(e.data!);
        data[3073 * 2] = 10;
        return { ...e, data };
      }),
    );
    await rejectsWith(loadDataset('cifar10', { data: file('l.tar.gz', bytes) }), [/test_batch\.bin: record 2 has label 10, outside 0\.\.9/]);
  });

  it('a CIFAR-100 coarse label out of range', async () => {
    const rec = cifarRecords(2, { seed: 1, coarse: true });
    rec.bytes[3074] = 20;
    const path = file(
      'c100.tar.gz',
      tarGz([
        { path: 'cifar-100-binary/train.bin', data: rec.bytes },
        { path: 'cifar-100-binary/test.bin', data: cifarRecords(1, { seed: 2, coarse: true }).bytes },
      ]),
    );
    await rejectsWith(loadDataset('cifar100', { data: path }), [/train\.bin: record 1 has coarse label 20, outside 0\.\.19/]);
  });

  it('a missing member file', async () => {
    const bytes = withEntries((entries) => entries.filter((e) => !e.path.endsWith('data_batch_4.bin')));
    await rejectsWith(loadDataset('cifar10', { data: file('m.tar.gz', bytes) }), [/m\.tar\.gz/, /missing member cifar-10-batches-bin\/data_batch_4\.bin/]);
  });

  for (const [what, entry] of [
    ['a ../ path', { path: 'cifar-10-batches-bin/../../evil.bin', data: Buffer.from('x') }],
    ['an absolute path', { path: '/tmp/evil.bin', data: Buffer.from('x') }],
    ['a symbolic link', { path: 'cifar-10-batches-bin/link', type: 'SymbolicLink', linkpath: '/etc/passwd' }],
    ['a hard link', { path: 'cifar-10-batches-bin/hard', type: 'Link', linkpath: 'cifar-10-batches-bin/test_batch.bin' }],
  ] as [string, TarEntry][]) {
    it(`a member with ${what} refuses the whole archive and writes nothing`, async () => {
      const dir = join(tmp.path, `unsafe-${n++}`);
      mkdirSync(dir);
      const path = join(dir, 'evil.tar.gz');
      writeFileSync(path, withEntries((entries) => [entries[0], entry, ...entries.slice(1)]));
      await rejectsWith(loadDataset('cifar10', { data: path }), [/evil\.tar\.gz/, /unsafe archive member/, /refused/], EXIT.DATA);
      assert.deepEqual(listTree(dir), ['evil.tar.gz']);
    });
  }

  it('a zip member whose bytes do not match its CRC-32', async () => {
    const path = file('trainingandtestdata.zip', '');
    const train = tweetRow(0, 1, 'fine tweet');
    await writeZip(
      path,
      { 'training.1600000.processed.noemoticon.csv': train, 'testdata.manual.2009.06.14.csv': tweetRow(4, 2, 'a good tweet') },
      { compress: false },
    );
    const bytes = readFileSync(path);
    const at = bytes.indexOf('a good tweet');
    bytes[at + 2] = 'w'.charCodeAt(0); // "a wood tweet": still valid CSV, but damaged
    writeFileSync(path, bytes);
    await rejectsWith(loadDataset('sentiment140', { data: path }), [/trainingandtestdata\.zip: testdata\.manual\.2009\.06\.14\.csv: CRC-32 mismatch/], EXIT.DATA);
  });

  it('a zip member with a ../ path refuses the zip', async () => {
    const path = file('trainingandtestdata.zip', '');
    // yazl will not write such a name, so write one of the same length and patch it in both
    // places a zip stores it (names are outside the CRC).
    await writeZip(path, { 'zz/x.csv': tweetRow(0, 1, 'hi') });
    const patched = Buffer.from(readFileSync(path).toString('latin1').replaceAll('zz/x.csv', '../x.csv'), 'latin1');
    writeFileSync(path, patched);
    await rejectsWith(loadDataset('sentiment140', { data: path }), [/trainingandtestdata\.zip/, /unsafe archive member/, /\.\.\/x\.csv/], EXIT.DATA);
  });
});

describe('bad IDX and CSV files', () => {
  it('MNIST: wrong magic number', async () => {
    const dir = join(tmp.path, 'magic');
    writeMnistFolder(dir);
    const bad = idxBytes([20, 28, 28], noiseBytes(20 * 784, 1));
    bad[3] = 1;
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(bad));
    await rejectsWith(loadDataset('mnist', { data: dir }), [/t10k-images-idx3-ubyte\.gz/, /bad IDX magic number 2049/]);
  });

  it('MNIST: IDX data shorter than its header says', async () => {
    const dir = join(tmp.path, 'short-idx');
    writeMnistFolder(dir);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idxBytes([20], new Uint8Array(15))));
    await rejectsWith(loadDataset('mnist', { data: dir }), [/t10k-labels-idx1-ubyte\.gz/, /says 20 = 20 values but the file holds 15 \(truncated\)/]);
  });

  it('MNIST: truncated gzip', async () => {
    const dir = join(tmp.path, 'cut-gz');
    writeMnistFolder(dir);
    const whole = gzipSync(idxBytes([20, 28, 28], noiseBytes(20 * 784, 2)));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), whole.subarray(0, whole.length - 300));
    await rejectsWith(loadDataset('mnist', { data: dir }), [/t10k-images-idx3-ubyte\.gz/, /truncated gzip/]);
  });

  it('MNIST: a label out of range', async () => {
    const dir = join(tmp.path, 'label');
    writeMnistFolder(dir);
    const labels = new Uint8Array(20);
    labels[7] = 12;
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idxBytes([20], labels)));
    await rejectsWith(loadDataset('mnist', { data: dir }), [/t10k-labels-idx1-ubyte\.gz: label 7 is 12, outside 0\.\.9/]);
  });

  it('MNIST: missing train files are named, with the way to use the test set alone', async () => {
    const dir = join(tmp.path, 'only-t10k');
    writeMnistFolder(dir, { onlyTest: true });
    await rejectsWith(
      loadDataset('mnist', { data: dir }),
      [/missing mnist files train-images-idx3-ubyte\.gz, train-labels-idx1-ubyte\.gz/, /--from-test-set/],
      EXIT.NO_INPUT,
    );
  });

  it('Iris: a class out of range, with its line', async () => {
    const path = file('iris.data', irisData(3).replace('Iris-virginica', 'Iris-unknown'));
    await rejectsWith(loadDataset('iris', { data: path }), [/iris\.data: line 7: class "Iris-unknown" is out of range/]);
  });

  it('Car Evaluation: an unknown attribute value, with its line', async () => {
    const path = file('car.data', 'vhigh,vhigh,2,2,small,low,unacc\nvhigh,vhigh,2,7,small,low,unacc\n');
    await rejectsWith(loadDataset('car-evaluation', { data: path }), [/car\.data: line 2: persons is "7", expected one of 2, 4, more/]);
  });

  it('Sentiment140: a polarity out of range in the training file', async () => {
    const dir = join(tmp.path, 's140');
    mkdirSync(dir);
    writeFileSync(join(dir, 'training.1600000.processed.noemoticon.csv'), [tweetRow(0, 1, 'a'), tweetRow(2, 2, 'b')].join('\n'));
    writeFileSync(join(dir, 'testdata.manual.2009.06.14.csv'), tweetRow(4, 3, 'c'));
    await rejectsWith(loadDataset('sentiment140', { data: dir }), [/training\.1600000\.processed\.noemoticon\.csv: line 2: polarity "2" is out of range/]);
  });
});

describe('bad paths and names', () => {
  it('a path that does not exist', async () => {
    const path = join(tmp.path, 'nowhere', 'cifar.tar.gz');
    await rejectsWith(loadDataset('cifar10', { data: path }), [/nowhere\/cifar\.tar\.gz: cannot read: no such file or folder/], EXIT.NO_INPUT);
  });

  it('a path whose parent is a file', async () => {
    const path = join(file('plain', 'x'), 'child.csv');
    await rejectsWith(loadDataset('iris', { data: path }), [/plain\/child\.csv: cannot read/], EXIT.NO_INPUT);
  });

  it('a file without read permission', async (t) => {
    if (process.getuid?.() === 0) return t.skip('running as root, which can read any file');
    const path = file('locked.tar.gz', tarGz(cifar10Fixture().entries));
    chmodSync(path, 0o000);
    await rejectsWith(loadDataset('cifar10', { data: path }), [/locked\.tar\.gz: cannot read: permission denied/], EXIT.NO_INPUT);
  });

  it('an unknown data set name, listing the known ones', async () => {
    await rejectsWith(loadDataset('cifar11' as 'cifar10'), [/unknown data set "cifar11"; known data sets: cifar10, cifar100, mnist/], 2);
  });

  it('the CLI prints the error and exits non-zero for each', async () => {
    const unknown = await runCli(['datasets', 'info', 'imagenet']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^lisht: error: unknown data set "imagenet"; known data sets: cifar10,/);
    const missing = await runCli(['datasets', 'info', 'cifar10', '--data', join(tmp.path, 'absent.tar.gz')]);
    assert.equal(missing.code, EXIT.NO_INPUT);
    assert.match(missing.stderr, /absent\.tar\.gz: cannot read: no such file or folder/);
  });
});
