import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { DATASET_NAMES } from '../../src/datasets/index.js';
import { cifar10Fixture, irisData, tarGz, type Cifar10Fixture } from '../helpers/archives.js';
import { runCli, tempDir } from '../helpers/env.js';

describe('lisht datasets / show', () => {
  const tmp = tempDir();
  let fixture: Cifar10Fixture;
  let archive: string;

  before(() => {
    fixture = cifar10Fixture();
    archive = join(tmp.path, 'cifar-10-binary.tar.gz');
    writeFileSync(archive, tarGz(fixture.entries));
  });
  after(() => tmp.remove());

  it('`datasets list --json` lists every data set with URLs and checks', async () => {
    const r = await runCli(['datasets', 'list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { name: string; files: { urls: string[]; md5?: string }[] }[];
    assert.deepEqual(list.map((d) => d.name), [...DATASET_NAMES]);
    const cifar = list.find((d) => d.name === 'cifar10')!;
    assert.deepEqual(cifar.files[0].urls, ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz']);
    assert.equal(cifar.files[0].md5, 'c32a1d4ab5d03f1284b67883e8d87530');
  });

  it('`datasets info` without --json describes source, checks and counts', async () => {
    const iris = join(tmp.path, 'iris.data');
    writeFileSync(iris, irisData(10));
    const r = await runCli(['datasets', 'info', 'iris', '--data', iris, '--test-fraction', '0.3', '--seed', '7']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^iris \(tabular, 4 features\)/);
    assert.match(r.stdout, /split: {3}stratified from all rows, test fraction 0\.3, seed 7/);
    assert.match(r.stdout, /train {4}21 examples; per class 7 7 7/);
    assert.match(r.stdout, /test {5}9 examples; per class 3 3 3/);
  });

  it('`show --out` writes a PNG whose enlarged pixels are the image', async () => {
    const out = join(tmp.path, 'one.png');
    const r = await runCli(['show', 'cifar10', '--data', archive, '--index', '4', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const png = PNG.sync.read(readFileSync(out));
    // One 32x32 image at 8x, 8 px margins, a caption line below.
    assert.equal(png.width, 256 + 16);
    assert.ok(png.height > 256 + 16);
    const hwc = fixture.train[1].hwc.subarray(1 * 3072, 2 * 3072); // batch 2, record 1 = index 4
    for (const [x, y] of [[0, 0], [31, 0], [5, 17], [31, 31]]) {
      const p = ((8 + y * 8 + 4) * png.width + (8 + x * 8 + 4)) * 4;
      assert.deepEqual([...png.data.subarray(p, p + 3)], [...hwc.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3)], `pixel ${x},${y}`);
    }
  });

  it('`show --grid` writes one picture for several images', async () => {
    const out = join(tmp.path, 'grid.png');
    const r = await runCli(['show', 'cifar10', '--data', archive, '--grid', '4', '--split', 'test', '--scale', '2', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const png = PNG.sync.read(readFileSync(out));
    assert.equal(png.width, 2 * 64 + 3 * 8);
  });

  it('`show` without --out draws true-colour half blocks and the label in the terminal', async () => {
    const r = await runCli(['show', 'cifar10', '--data', archive, '--index', '0', '--split', 'test']);
    assert.equal(r.code, 0, r.stderr);
    const label = fixture.test.labels[0];
    const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
    assert.match(r.stdout, new RegExp(`test\\[0\\]: ${label} ${names[label]}`));
    // At 2x (an 80-column terminal), the first cell shows pixel (0, 0) above itself; the
    // second line of cells shows image row 1.
    const [r0, g0, b0] = fixture.test.hwc;
    const [r1, g1, b1] = fixture.test.hwc.subarray(32 * 3);
    const lines = r.stdout.split('\n').filter((l) => l.includes('▀'));
    assert.ok(lines[0].startsWith(`\x1b[38;2;${r0};${g0};${b0}m\x1b[48;2;${r0};${g0};${b0}m▀`));
    assert.ok(lines[1].startsWith(`\x1b[38;2;${r1};${g1};${b1}m\x1b[48;2;${r1};${g1};${b1}m▀`));
    assert.equal(lines.length, 32); // 64 pixel rows at 2x, two per line
    assert.equal(lines[0].split('▀').length - 1, 64);
  });

  it('`show` refuses an index out of range and non-image data sets', async () => {
    const r = await runCli(['show', 'cifar10', '--data', archive, '--index', '15']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--index 15 is out of range: the train split of cifar10 has 15 images \(0\.\.14\)/);
    const iris = join(tmp.path, 'iris2.data');
    writeFileSync(iris, irisData(10));
    const t = await runCli(['show', 'iris', '--data', iris, '--index', '0']);
    assert.equal(t.code, 2);
    assert.match(t.stderr, /show draws images; iris is a tabular data set/);
  });
});
