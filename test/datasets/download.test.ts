import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadDataset,
  downloadFile,
  loadDataset,
  type DownloadProgress } from '../../src/datasets/index.js';
import { UserError } from '../../src/errors.js';
import { EXIT } from '../../src/exit_codes.js';
import { cifar10Fixture, irisData, noiseBytes, tarGz } from '../helpers/archives.js';
import { listTree, runCli, tempDir } from '../helpers/env.js';
import { closedPort, serveBytes, startServer, type TestServer } from '../helpers/http-server.js';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const err = await promise.then(
    () => assert.fail('expected the download to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UserError, String(err));
  assert.equal(err.exitCode, EXIT.UNAVAILABLE);
  return err;
}

describe('downloadFile against a local server', () => {
  const tmp = tempDir();
  const body = Buffer.from(noiseBytes(300_000, 9));
  let server: TestServer;

  before(async () => {
    server = await startServer({
      '/file.bin': serveBytes(body),
      '/other.bin': serveBytes(Buffer.from('not the file')),
      '/stall.bin': (_req, res) => {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 1000));
        // ...and never another byte.
      },
      '/cut.bin': (_req, res) => {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 50_000), () => res.socket?.destroy());
      },
      '/redirect': (_req, res) => res.writeHead(302, { location: '/file.bin' }).end(),
    });
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  let n = 0;
  /** A fresh cache folder path (not created) and the destination in it. */
  function target(): { cache: string; destination: string } {
    const cache = join(tmp.path, `cache-${n++}`);
    return { cache, destination: join(cache, 'cifar10', 'file.bin') };
  }

  it('streams, checks the MD5, reports progress and renames into place', async () => {
    const { cache, destination } = target();
    const events: DownloadProgress[] = [];
    const result = await downloadFile({ urls: [`${server.url}/redirect`], destination, md5: md5(body), onProgress: (p) => events.push(p) });
    assert.deepEqual(readFileSync(destination), body);
    assert.equal(result.bytes, body.length);
    assert.deepEqual(listTree(cache), ['cifar10/', 'cifar10/file.bin']);
    assert.ok(events.length >= 2);
    assert.equal(events.at(-1)!.done, true);
    assert.equal(events.at(-1)!.receivedBytes, body.length);
    assert.equal(events[0].totalBytes, body.length);
  });

  it('HTTP 404: fails naming the URL and leaves no folder or file behind', async () => {
    const { cache, destination } = target();
    const err = await failure(downloadFile({ urls: [`${server.url}/missing.bin`], destination }));
    assert.match(err.message, /download of http:\/\/127\.0\.0\.1:\d+\/missing\.bin failed: HTTP 404/);
    assert.deepEqual(listTree(cache), []);
  });

  it('connection refused', async () => {
    const { cache, destination } = target();
    const port = await closedPort();
    const err = await failure(downloadFile({ urls: [`http://127.0.0.1:${port}/file.bin`], destination }));
    assert.match(err.message, /127\.0\.0\.1:\d+\/file\.bin failed: connection refused/);
    assert.equal(existsSync(cache), false);
  });

  it('a stalled transfer is given up after the stall timeout', async () => {
    const { cache, destination } = target();
    const err = await failure(downloadFile({ urls: [`${server.url}/stall.bin`], destination, stallTimeoutMs: 300 }));
    assert.match(err.message, /stall\.bin failed: transfer stalled: no data for 0\.3 s/);
    assert.deepEqual(listTree(cache), []);
  });

  it('a connection closed mid-transfer', async () => {
    const { cache, destination } = target();
    const err = await failure(downloadFile({ urls: [`${server.url}/cut.bin`], destination }));
    assert.match(err.message, /cut\.bin failed: connection closed by the server after \d+ of 300000 bytes/);
    assert.deepEqual(listTree(cache), []);
  });

  it('a wrong checksum: refused, nothing kept, and an existing cache file untouched', async () => {
    const { cache, destination } = target();
    mkdirSync(join(cache, 'cifar10'), { recursive: true });
    writeFileSync(join(cache, 'cifar10', 'keep.txt'), 'already here');
    const err = await failure(downloadFile({ urls: [`${server.url}/other.bin`], destination, md5: md5(body) }));
    assert.match(err.message, /checksum mismatch for file\.bin: MD5 is [0-9a-f]{32}, the publisher's is [0-9a-f]{32}/);
    assert.deepEqual(listTree(cache), ['cifar10/', 'cifar10/keep.txt']);
  });

  it('falls back to the next URL and reports every failure when all fail', async () => {
    const { destination } = target();
    const ok = await downloadFile({ urls: [`${server.url}/missing.bin`, `${server.url}/file.bin`], destination, md5: md5(body) });
    assert.equal(ok.url, `${server.url}/file.bin`);
    const { destination: d2 } = target();
    const err = await failure(downloadFile({ urls: [`${server.url}/a`, `${server.url}/b`], destination: d2 }));
    assert.match(err.message, /failed from every source:\n {2}http:\S+\/a: HTTP 404 Not Found\n {2}http:\S+\/b: HTTP 404 Not Found$/);
  });
});

describe('downloadDataset and the CLI through a mirror', () => {
  const tmp = tempDir();
  let server: TestServer;
  const iris = Buffer.from(irisData(50));

  before(async () => {
    server = await startServer({
      '/iris/iris.data': serveBytes(iris),
      '/car-evaluation/car.data': serveBytes(Buffer.from('vhigh,vhigh,2,2,small,low,unacc\n')),
      '/cifar10/cifar-10-binary.tar.gz': serveBytes(tarGz(cifar10Fixture().entries)),
    });
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it('downloads Iris (checked by structure), then loads it from the cache without the network', async () => {
    const cacheDir = join(tmp.path, 'api');
    const files = await downloadDataset('iris', { cacheDir, mirror: server.url });
    assert.deepEqual(files.map((f) => f.status), ['downloaded']);
    assert.deepEqual(readFileSync(join(cacheDir, 'iris', 'iris.data')), iris);
    const again = await downloadDataset('iris', { cacheDir, mirror: 'http://127.0.0.1:1' });
    assert.deepEqual(again.map((f) => f.status), ['cached']);
    const ds = await loadDataset('iris', { cacheDir, download: false });
    assert.equal(ds.train.count + ds.test.count, 150);
  });

  it('refuses a download whose structure is wrong (no checksum published) and keeps nothing', async () => {
    const cacheDir = join(tmp.path, 'car');
    const err = await failure(downloadDataset('car-evaluation', { cacheDir, mirror: server.url }));
    assert.match(err.message, /car\.data.*expected 1728 rows/);
    assert.deepEqual(listTree(cacheDir), []);
  });

  it('CLI: `datasets download` prints progress lines off a TTY and the cached path', async () => {
    const cacheDir = join(tmp.path, 'cli');
    const r = await runCli(['datasets', 'download', 'iris'], { LISHT_DATA_DIR: cacheDir, LISHT_DATA_MIRROR: server.url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /downloading http:\/\/127\.0\.0\.1:\d+\/iris\/iris\.data/);
    assert.match(r.stderr, /iris\.data: 100% .* done/);
    assert.match(r.stdout, new RegExp(`downloaded: ${cacheDir}/iris/iris\\.data`));
  });

  it('CLI: a checksum mismatch exits non-zero and leaves the cache as it was', async () => {
    const cacheDir = join(tmp.path, 'cli-bad');
    mkdirSync(cacheDir);
    const r = await runCli(['datasets', 'download', 'cifar10'], { LISHT_DATA_DIR: cacheDir, LISHT_DATA_MIRROR: server.url });
    assert.equal(r.code, EXIT.UNAVAILABLE);
    assert.match(r.stderr, /lisht: error: download of .*cifar-10-binary\.tar\.gz failed: checksum mismatch/);
    assert.deepEqual(listTree(cacheDir), []);
  });

  it('CLI: 404 from the mirror', async () => {
    const cacheDir = join(tmp.path, 'cli-404');
    const r = await runCli(['datasets', 'download', 'mnist'], { LISHT_DATA_DIR: cacheDir, LISHT_DATA_MIRROR: server.url });
    assert.equal(r.code, EXIT.UNAVAILABLE);
    assert.match(r.stderr, /mnist\/train-images-idx3-ubyte\.gz failed: HTTP 404/);
    assert.deepEqual(listTree(cacheDir), []);
  });
});
