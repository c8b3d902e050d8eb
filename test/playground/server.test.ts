/**
 * The playground's server: its own files only (no traversal in any encoding), the headers that
 * make the page cross-origin isolated, the wasm builds and the --data archive at their fixed
 * addresses; `lisht playground` refusing a port in use and a non-empty --build folder.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { DATA_URL, resolveRequestPath, startPlaygroundServer, type PlaygroundServer } from '../../src/playground/server.js';
import { siteDir } from '../../src/playground/site.js';
import { runCli, SHARED_DATASETS, tempDir } from '../helpers/env.js';
import { startPlaygroundCli } from './cli_server.js';

const SUBSET = join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz');

/** One raw HTTP/1.1 request (the request target exactly as given, unnormalised). */
function rawGet(port: number, target: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (c) => (text += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body: rest.join('\r\n\r\n') });
    });
  });
}

let served: PlaygroundServer;
let port: number;

before(async () => {
  served = await startPlaygroundServer({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(served.url).port);
});
after(() => served.close());

test('the page, its script and the three wasm builds are served, cross-origin isolated', async () => {
  for (const [path, type] of [
    ['/', 'text/html'],
    ['/app.js', 'text/javascript'],
    ['/style.css', 'text/css'],
    ['/wasm/tfjs-backend-wasm-threaded-simd.wasm', 'application/wasm'],
    ['/wasm/tfjs-backend-wasm-simd.wasm', 'application/wasm'],
    ['/wasm/tfjs-backend-wasm.wasm', 'application/wasm'],
  ]) {
    const r = await fetch(`${served.url}${path.slice(1)}`);
    assert.equal(r.status, 200, path);
    assert.ok(r.headers.get('content-type')!.startsWith(type), `${path}: ${r.headers.get('content-type')}`);
    assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.ok((await r.arrayBuffer()).byteLength > 0);
  }
  const html = await (await fetch(served.url)).text();
  assert.match(html, /<script type="module" src="app.js">/);
  assert.equal((await fetch(`${served.url}${DATA_URL.slice(1)}`)).status, 404, 'no --data: no archive');
  assert.match(html, /<meta name="lisht-site" content="server-without-data">/, 'and the page is told so: it asks for none');
  assert.match(await (await fetch(`${served.url}index.html`)).text(), /content="server-without-data"/);
  assert.equal((await fetch(`${served.url}nothing-here.js`)).status, 404);
  assert.equal((await fetch(served.url, { method: 'POST', body: 'x' })).status, 405);
});

test('no request reaches a file outside the site, in any encoding', async () => {
  const secret = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  const targets = [
    '/../package.json',
    '/..%2f..%2f..%2fpackage.json',
    '/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    '/%2e%2e/%2e%2e/%2e%2e/package.json',
    '/..%5c..%5c..%5cpackage.json',
    '/%2fetc%2fpasswd',
    '//etc/passwd',
    '/etc/passwd',
    '/wasm/..%2f..%2fpackage.json',
    '/wasm/../../package.json',
    '/wasm/%2e%2e%2fpackage.json',
    '/%00index.html',
    '/%E0%A4%A',
    '../package.json',
    '/C:%5cWindows%5cwin.ini',
  ];
  for (const target of targets) {
    const r = await rawGet(port, target);
    assert.ok(r.status === 400 || r.status === 404, `${target}: ${r.status}`);
    assert.ok(!r.body.includes('"name": "lisht"') && !r.body.includes('root:'), `${target} leaked a file`);
  }
  assert.ok(secret.includes('"name": "lisht"'));
  const root = siteDir();
  assert.equal(resolveRequestPath(root, '/a/../../x'), null);
  assert.equal(resolveRequestPath(root, '/..%2fx'), null);
  assert.equal(resolveRequestPath(root, 'relative'), null);
  assert.equal(resolveRequestPath(root, '/'), join(root, 'index.html'));
  assert.equal(resolveRequestPath(root, '/app.js'), join(root, 'app.js'));
});

test('--data serves the archive byte for byte at its fixed address', { skip: existsSync(SUBSET) ? false : `${SUBSET} not found` }, async () => {
  const running = await startPlaygroundCli(['--data', SUBSET]);
  try {
    assert.ok(running.url.startsWith('http://127.0.0.1:'), running.url);
    const r = await fetch(`${running.url}${DATA_URL.slice(1)}`, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(Number(r.headers.get('content-length')), statSync(SUBSET).size);
    assert.match(await (await fetch(running.url)).text(), /<meta name="lisht-site" content="server">/);
  } finally {
    assert.equal(await running.stop(), 0);
  }
});

test('a port in use is refused with one clear line and exit code 73', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const busy = (blocker.address() as { port: number }).port;
  try {
    const r = await runCli(['playground', '--port', String(busy)]);
    assert.equal(r.code, 73, r.stderr);
    assert.match(r.stderr, new RegExp(`port ${busy} on 127\\.0\\.0\\.1 is in use`));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    blocker.close();
  }
});

test('--data naming no file is refused before anything is served (exit 66)', async () => {
  const r = await runCli(['playground', '--port', '0', '--data', '/nonexistent/cifar.tar.gz']);
  assert.equal(r.code, 66, r.stderr);
  assert.match(r.stderr, /no such file/);
});

test('--build writes the static site into a new folder and refuses a non-empty one', async () => {
  const dir = tempDir('lisht-playground-');
  try {
    const out = join(dir.path, 'site');
    const r = await runCli(['playground', '--build', out]);
    assert.equal(r.code, 0, r.stderr);
    // The page, the CNN's worker, and chunks named by their hash: the code they share and what
    // loads on demand (the Keras reader when a model is dropped), each with its licences.
    const files = readdirSync(out).sort();
    assert.deepEqual(files.filter((f) => !f.startsWith('chunk-')), ['app.js', 'cnn-worker.js', 'index.html', 'style.css', 'wasm']);
    const chunks = files.filter((f) => f.startsWith('chunk-'));
    assert.ok(chunks.some((f) => f.endsWith('.js')), files.join(' '));
    for (const f of chunks) {
      assert.match(f, /^chunk-[A-Z0-9]+\.js(\.LEGAL\.txt)?$/);
      if (f.endsWith('.LEGAL.txt')) assert.ok(files.includes(f.slice(0, -'.LEGAL.txt'.length)), `${f} sits beside its chunk`);
    }
    // Marked static, so the page asks for no data archive (a static host has none: a 404 every load).
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /<meta name="lisht-site" content="static">/);
    assert.deepEqual(readdirSync(join(out, 'wasm')).sort(), ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm.wasm']);
    const mine = join(dir.path, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'index.html'), 'my own page');
    const again = await runCli(['playground', '--build', mine]);
    assert.equal(again.code, 73, again.stderr);
    assert.match(again.stderr, /not empty/);
    assert.equal(readFileSync(join(mine, 'index.html'), 'utf8'), 'my own page');
    assert.deepEqual(readdirSync(mine), ['index.html']);
  } finally {
    dir.remove();
  }
});
