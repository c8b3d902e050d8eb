import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultCacheDir, loadDataset, resolveCacheDir } from '../../src/datasets/index.js';
import { UserError } from '../../src/errors.js';
import { EXIT } from '../../src/exit_codes.js';
import { cifar10Fixture, tarGz } from '../helpers/archives.js';
import { listTree, tempDir } from '../helpers/env.js';

describe('cache folder', () => {
  it('explicit folder, else $LISHT_DATA_DIR, else the platform cache dir', () => {
    assert.equal(resolveCacheDir('/a/b', { LISHT_DATA_DIR: '/c' }), '/a/b');
    assert.equal(resolveCacheDir(undefined, { LISHT_DATA_DIR: '/c' }), '/c');
    assert.equal(resolveCacheDir(undefined, { XDG_CACHE_HOME: '/xdg' }), process.platform === 'linux' ? '/xdg/lisht' : defaultCacheDir({}));
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux'), join(homedir(), '.cache', 'lisht'));
    assert.equal(defaultCacheDir({}, 'darwin'), join(homedir(), 'Library', 'Caches', 'lisht'));
  });
});

describe('loading from the cache', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('with download: false, a missing data set says how to get it and writes nothing', async () => {
    const cacheDir = join(tmp.path, 'empty');
    const err = await loadDataset('cifar10', { cacheDir, download: false }).catch((e: unknown) => e);
    assert.ok(err instanceof UserError);
    assert.equal(err.exitCode, EXIT.NO_INPUT);
    assert.match(err.message, /cifar10 is not in the cache \(missing .*cifar10\/cifar-10-binary\.tar\.gz\); run `lisht datasets download cifar10` or pass --data PATH/);
    assert.deepEqual(listTree(cacheDir), []);
  });

  it('a cached archive that is not the publisher\'s file is reported as damaged, with the mend', async () => {
    const cacheDir = join(tmp.path, 'damaged');
    mkdirSync(join(cacheDir, 'cifar10'), { recursive: true });
    writeFileSync(join(cacheDir, 'cifar10', 'cifar-10-binary.tar.gz'), tarGz(cifar10Fixture().entries));
    const err = await loadDataset('cifar10', { cacheDir, download: false }).catch((e: unknown) => e);
    assert.ok(err instanceof UserError);
    assert.equal(err.exitCode, EXIT.DATA);
    assert.match(
      err.message,
      /cifar-10-binary\.tar\.gz: the cached copy of cifar10 is damaged \(\d+ bytes, the publisher's file has 170052171\); run `lisht datasets download cifar10 --force`/,
    );
    assert.deepEqual(listTree(cacheDir), ['cifar10/', 'cifar10/cifar-10-binary.tar.gz']);
  });
});
