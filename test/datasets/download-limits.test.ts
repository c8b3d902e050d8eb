/**
 * Issue 25 item 7: a source sending more than the file it claims is cut off at the file's size
 * plus a margin (exit 65), and no half-written `.part` file outlives the process, SIGTERM
 * included.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadFile, sizeMargin } from '../../src/datasets/download.js';
import { UserError } from '../../src/errors.js';
import { EXIT } from '../../src/exit_codes.js';
import { listTree, REPO_ROOT, runCli, tempDir } from '../helpers/env.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');

describe('issue 25 item 7: downloads larger than their file', () => {
  const tmp = tempDir('lisht-oversize-');
  let server: TestServer;
  let sentByEndless = 0;

  before(async () => {
    server = await startServer({
      // No Content-Length and no end: only the client's limit stops it.
      '/iris/iris.data': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(16 * 1024, 0x61);
        const more = () => {
          while (!res.destroyed && res.write(chunk)) sentByEndless += chunk.length;
          if (!res.destroyed) res.once('drain', more);
        };
        more();
      },
      '/declared.bin': (_req, res) => {
        res.writeHead(200, { 'content-length': 400_000_000 });
        res.write(Buffer.alloc(1000));
      },
      // A few bytes, then silence: a transfer in progress when the signal comes.
      '/mnist/train-images-idx3-ubyte.gz': (_req, res) => {
        res.writeHead(200, { 'content-length': 9_912_422 });
        res.write(Buffer.alloc(20_000, 1));
      },
    });
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it('issue 25 item 7: an endless body is cut off past the expected size plus the margin, exit 65, nothing kept', { timeout: 60_000 }, async () => {
    const cache = join(tmp.path, 'api');
    const err = await downloadFile({ urls: [`${server.url}/iris/iris.data`], destination: join(cache, 'iris', 'iris.data'), expectedSize: 4551 }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof UserError, String(err));
    assert.equal(err.exitCode, EXIT.DATA);
    assert.match(err.message, /iris\.data is larger than it should be: the transfer passed \d+ bytes, the file has 4551; refused/);
    const passed = Number(/passed (\d+) bytes/.exec(err.message)![1]);
    // One network read past the limit at most (fetch hands over up to 64 KiB at a time).
    assert.ok(passed <= 4551 + sizeMargin(4551) + 128 * 1024, `stopped reading at ${passed} bytes`);
    assert.deepEqual(listTree(cache), []);
  });

  it('issue 25 item 7: a declared Content-Length far above the file is refused before reading', async () => {
    const cache = join(tmp.path, 'declared');
    const err = await downloadFile({ urls: [`${server.url}/declared.bin`], destination: join(cache, 'x', 'f.bin'), expectedSize: 4551 }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e as UserError,
    );
    assert.equal(err.exitCode, EXIT.DATA);
    assert.match(err.message, /the server declares 400000000 bytes, the file has 4551/);
    assert.deepEqual(listTree(cache), []);
  });

  it('issue 25 item 7: CLI `datasets download iris` from a mirror sending too much: one line, exit 65, empty cache', { timeout: 60_000 }, async () => {
    const cacheDir = join(tmp.path, 'cli');
    const r = await runCli(['datasets', 'download', 'iris'], { LISHT_DATA_DIR: cacheDir, LISHT_DATA_MIRROR: server.url });
    assert.equal(r.code, EXIT.DATA, r.stderr);
    assert.match(r.stderr, /lisht: error: download of http:\S+\/iris\/iris\.data failed: iris\.data is larger than it should be/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.deepEqual(listTree(cacheDir), []);
  });

  it('issue 25 item 7: SIGTERM during a download exits 130 and removes the .part file', { timeout: 60_000 }, async () => {
    const cacheDir = join(tmp.path, 'term');
    const child = spawn(process.execPath, [CLI, 'datasets', 'download', 'mnist'], {
      cwd: REPO_ROOT,
      env: { ...process.env, LISHT_DATA_DIR: cacheDir, LISHT_DATA_MIRROR: server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    let partWhileRunning = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        // The progress line comes after the first bytes were written to the .part file.
        if (/train-images-idx3-ubyte\.gz: \d+%/.test(stderr) && !sent) {
          sent = true;
          // Give the write stream the moment it needs to open the file and write the bytes.
          setTimeout(() => {
            partWhileRunning = listTree(cacheDir).some((f) => f.endsWith('.part'));
            child.kill('SIGTERM');
          }, 500);
        }
      });
      child.on('close', resolve);
    });
    assert.equal(code, EXIT.INTERRUPTED, stderr);
    assert.ok(partWhileRunning, 'the .part file was there while downloading');
    assert.deepEqual(listTree(cacheDir).filter((f) => f.endsWith('.part')), []);
  });
});
