/**
 * Issue 25 items 8 and 11: the playground's server stops on the first signal even with stalled
 * and idle clients; it serves --data only when it is a CIFAR-10 archive, answers only to
 * requests naming it (no DNS rebinding), and warns when bound to every interface.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { startPlaygroundServer, type PlaygroundServer } from '../../src/playground/server.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/env.js';
import { cifarFixture } from '../experiments/helpers/experiments.js';

const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');

/** One raw request with the given Host header; resolves to the status. */
function statusWithHost(port: number, host: string | undefined, target = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`GET ${target} HTTP/1.1\r\n${host === undefined ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`),
    );
    let text = '';
    socket.on('data', (c) => (text += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0)));
  });
}

/** `lisht playground` with `args` (on a free port): its port, stderr so far, and the process. */
function startCli(args: string[]): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'playground', '--port', '0', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /lisht playground: http:\/\/[^/]+:(\d+)\//.exec(out);
      if (m) resolve({ child, port: Number(m[1]), stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${err}`)));
  });
}

const dir = tempDir('lisht-playground-hostile-');
let fixture: string;
let served: PlaygroundServer;
let port: number;
before(async () => {
  fixture = cifarFixture(dir.path);
  served = await startPlaygroundServer({ port: 0, host: '127.0.0.1', data: fixture });
  port = Number(new URL(served.url).port);
});
after(async () => {
  await served.close();
  dir.remove();
});

test('issue 25 item 8: with one stalled and one idle client, SIGTERM stops the playground at once (exit 0)', { timeout: 60_000 }, async () => {
  const running = await startCli([]);
  const sockets: Socket[] = [];
  try {
    // A request whose headers never end, and a keep-alive connection that went quiet.
    const stalled = connect(running.port, '127.0.0.1', () => stalled.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    const idle = connect(running.port, '127.0.0.1', () => idle.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    sockets.push(stalled, idle);
    for (const s of sockets) s.on('error', () => undefined);
    await new Promise<void>((resolve) => idle.once('data', () => resolve()));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      running.child.once('exit', resolve);
      running.child.kill('SIGTERM');
    });
    assert.equal(code, 0, running.stderr());
    // Generous: without the fix it waits for the stalled client's header timeout (60 s).
    assert.ok(Date.now() - started < 10_000, `stopped after ${Date.now() - started} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    running.child.kill('SIGKILL');
  }
});

test('issue 25 item 11: --data naming a file that is not a CIFAR-10 archive is refused at start (exit 65), nothing served', async () => {
  const secret = join(dir.path, 'shadow');
  writeFileSync(secret, 'root:$6$secret-hash:19000:0:99999:7:::\n');
  const r = await runCli(['playground', '--port', '0', '--data', secret]);
  assert.equal(r.code, 65, r.stderr);
  assert.match(r.stderr, /^lisht: error: --data .*shadow is not served: it is not a CIFAR-10 binary archive/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stdout, /lisht playground: http/);
});

test('issue 25 item 11: requests whose Host is not this server (DNS rebinding) are refused with 403', async () => {
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`]) {
    assert.equal(await statusWithHost(port, host), 200, host);
  }
  // No Host at all: Node itself answers 400 to HTTP/1.1 without one.
  assert.equal(await statusWithHost(port, undefined), 400);
  for (const host of [`attacker.example:${port}`, 'attacker.example', `localhost.attacker.example:${port}`, `10.1.2.3:${port}`]) {
    assert.equal(await statusWithHost(port, host), 403, String(host));
    assert.equal(await statusWithHost(port, host, '/data/cifar-10-binary.tar.gz'), 403, `${host} (data)`);
  }
});

test('issue 25 item 11: --host 0.0.0.0 warns that the page and data are open to the network, and still refuses foreign names', { timeout: 60_000 }, async () => {
  const running = await startCli(['--host', '0.0.0.0', '--data', fixture]);
  try {
    await new Promise((r) => setTimeout(r, 200));
    assert.match(running.stderr(), /lisht: warning: --host 0\.0\.0\.0 opens the page and the data set .*cifar-10-binary\.tar\.gz to the network/);
    assert.equal(await statusWithHost(running.port, `127.0.0.1:${running.port}`), 200);
    assert.equal(await statusWithHost(running.port, `192.168.7.9:${running.port}`), 200, 'an address of this machine, as the network reaches it');
    assert.equal(await statusWithHost(running.port, `rebound.example:${running.port}`), 403);
  } finally {
    await new Promise((resolve) => {
      running.child.once('exit', resolve);
      running.child.kill('SIGTERM');
    });
  }
});
