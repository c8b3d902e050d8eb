/**
 * Issue 13 item 3: a cached file is checked before it counts as cached, a damaged one is
 * replaced by a fresh download (or, when loading, named as the cached copy with the mend).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { checkCachedFile } from '../../src/datasets/cache_check.js';
import { datasetInfo, downloadDataset, loadDataset } from '../../src/datasets/index.js';
import { DamagedCacheError } from '../../src/datasets/errors.js';
import { EXIT } from '../../src/exit_codes.js';
import { cifar10Fixture, irisData, tarGz } from '../helpers/archives.js';
import { listTree, runCli, SHARED_DATASETS, tempDir } from '../helpers/env.js';
import { serveBytes, startServer, type TestServer } from '../helpers/http-server.js';

const archive = tarGz(cifar10Fixture().entries);
const truncated = archive.subarray(0, Math.floor(archive.length / 2));
const iris = Buffer.from(irisData(50));

function place(cacheDir: string, name: string, fileName: string, bytes: Uint8Array): string {
  mkdirSync(join(cacheDir, name), { recursive: true });
  const path = join(cacheDir, name, fileName);
  writeFileSync(path, bytes);
  return path;
}

describe('damaged files in the cache', () => {
  const tmp = tempDir();
  let server: TestServer;

  before(async () => {
    server = await startServer({
      '/iris/iris.data': serveBytes(iris),
      // A re-download that breaks off halfway must not leave half a file either.
      '/cifar10/cifar-10-binary.tar.gz': (_req, res) => {
        res.writeHead(200, { 'content-length': 170_052_171 });
        res.write(archive.subarray(0, 1000), () => res.socket?.destroy());
      },
    });
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it('issue 13 item 3: a truncated archive in the cache is not "Already cached"', async () => {
    const cacheDir = join(tmp.path, 'truncated');
    const path = place(cacheDir, 'cifar10', 'cifar-10-binary.tar.gz', truncated);
    const env = { LISHT_DATA_DIR: cacheDir, LISHT_DATA_MIRROR: server.url };

    const download = await runCli(['datasets', 'download', 'cifar10'], env);
    assert.doesNotMatch(download.stdout, /already cached/i);
    assert.ok(
      download.stderr.includes(
        `the cached copy ${path} is damaged (${truncated.length} bytes, the publisher's file has 170052171); downloading it again`,
      ),
      download.stderr,
    );
    assert.equal(download.code, EXIT.UNAVAILABLE, download.stderr);
    assert.match(download.stderr, /connection closed by the server after \d+ of 170052171 bytes/);
    // The damaged copy is left as it was: no temporary file, no note calling it verified.
    assert.deepEqual(listTree(cacheDir), ['cifar10/', 'cifar10/cifar-10-binary.tar.gz']);
    assert.deepEqual(readFileSync(path), truncated);

    const info = await runCli(['datasets', 'info', 'cifar10'], env);
    assert.equal(info.code, EXIT.DATA, info.stderr);
    assert.equal(
      info.stderr.trim(),
      `lisht: error: ${path}: the cached copy of cifar10 is damaged (${truncated.length} bytes, the publisher's file has 170052171); ` +
        'run `lisht datasets download cifar10 --force` to fetch it again, or delete it',
    );
  });

  it('issue 13 item 3: `datasets download` replaces a damaged cached file, after saying so', async () => {
    const cacheDir = join(tmp.path, 'iris');
    // Cut off after 60 whole rows, as a download that broke off and was kept would be.
    const path = place(cacheDir, 'iris', 'iris.data', Buffer.from(irisData(50).split('\n').slice(0, 60).join('\n') + '\n'));
    const env = { LISHT_DATA_DIR: cacheDir, LISHT_DATA_MIRROR: server.url };
    const r = await runCli(['datasets', 'download', 'iris'], env);
    assert.equal(r.code, 0, r.stderr);
    const notice = r.stderr.indexOf(`the cached copy ${path} is damaged (expected 150 rows, 50 per class; found 60 (50/10/0)); downloading it again`);
    assert.ok(notice >= 0, r.stderr);
    assert.ok(notice < r.stderr.indexOf('downloading http://'), 'the notice comes before the download');
    assert.equal(r.stdout.split('\n')[0], `replaced: ${path}`);
    assert.deepEqual(readFileSync(path), iris);
    assert.deepEqual(listTree(cacheDir), ['iris/', 'iris/.iris.data.verified.json', 'iris/iris.data']);

    // Intact now: kept, and --force fetches it all the same.
    const again = await runCli(['datasets', 'download', 'iris'], env);
    assert.equal(again.stdout.split('\n')[0], `already cached (checked): ${path}`);
    assert.doesNotMatch(again.stderr, /damaged|downloading/);
    const forced = await downloadDataset('iris', { cacheDir, mirror: server.url, force: true });
    assert.deepEqual(forced.map((f) => f.status), ['replaced']);
    assert.equal(forced[0].problem, undefined);
  });

  it('issue 13 item 3: a file found intact is not checked again until it changes', async () => {
    const cacheDir = join(tmp.path, 'record');
    const path = place(cacheDir, 'iris', 'iris.data', iris);
    const file = datasetInfo('iris').files[0];
    assert.deepEqual(await checkCachedFile('iris', file, path), { intact: true, by: 'structure' });
    assert.deepEqual(await checkCachedFile('iris', file, path), { intact: true, by: 'record' });
    // Same size, other bytes, a later mtime (what any write does): the note no longer counts.
    const damaged = Buffer.from(iris);
    damaged.write('X', 0);
    writeFileSync(path, damaged);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const verdict = await checkCachedFile('iris', file, path);
    assert.equal(verdict.intact, false);
    // And a load names it as the cached copy.
    const err = await loadDataset('iris', { cacheDir, download: false }).catch((e: unknown) => e);
    assert.ok(err instanceof DamagedCacheError, String(err));
    assert.equal(err.exitCode, EXIT.DATA);
    assert.equal(err.path, path);
  });

  it('issue 13 item 3: the real MNIST test files in the cache check out by content, a truncated one does not', async (t: TestContext) => {
    const source = join(SHARED_DATASETS, 'mnist-t10k');
    if (!existsSync(source)) return t.skip(`${source} is absent (the real data sets live in ../shared/datasets)`);
    const cacheDir = join(tmp.path, 'mnist');
    mkdirSync(join(cacheDir, 'mnist'), { recursive: true });
    const files = datasetInfo('mnist').files.filter((f) => f.fileName.startsWith('t10k'));
    for (const f of files) copyFileSync(join(source, f.fileName), join(cacheDir, 'mnist', f.fileName));
    const labels = files.find((f) => f.fileName.startsWith('t10k-labels'))!;
    const labelsPath = join(cacheDir, 'mnist', labels.fileName);
    assert.deepEqual(await checkCachedFile('mnist', labels, labelsPath), { intact: true, by: 'content-checksum' });
    assert.deepEqual(await checkCachedFile('mnist', labels, labelsPath), { intact: true, by: 'record' });
    const ds = await loadDataset('mnist', { cacheDir, download: false, fromTestSet: true });
    assert.equal(ds.train.count + ds.test.count, 10_000);

    writeFileSync(labelsPath, readFileSync(labelsPath).subarray(0, 3000));
    const err = await loadDataset('mnist', { cacheDir, download: false, fromTestSet: true }).catch((e: unknown) => e);
    assert.ok(err instanceof DamagedCacheError, String(err));
    assert.match(err.message, /t10k-labels-idx1-ubyte\.gz: the cached copy of mnist is damaged \(it matches neither the published MD5 of the file nor of its contents\); run `lisht datasets download mnist --force`/);
  });
});
