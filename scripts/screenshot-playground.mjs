// Takes docs/images/playground.png (desktop, 1400x900) and docs/images/playground-phone.png
// (phone, 390x844): starts the built `lisht playground` (with the CIFAR-10 archive given as the
// first argument, default ../shared/datasets/cifar-10-subset-binary.tar.gz), lets the toy
// classifier and a short CIFAR run train in headless Chromium, and screenshots the whole page
// at each size. Needs `npm run build` first, Chromium at /usr/bin/chromium (or $CHROMIUM).
//
//   node scripts/screenshot-playground.mjs [archive] [out-folder]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const archive = resolve(process.argv[2] ?? join(root, '..', 'shared', 'datasets', 'cifar-10-subset-binary.tar.gz'));
const outDir = resolve(process.argv[3] ?? join(root, 'docs', 'images'));
if (!existsSync(archive)) {
  console.error(`${archive}: no such file (pass a CIFAR-10 binary archive)`);
  process.exit(66);
}
// What the pictures show: LiSHT against ReLU on the spiral, a short CIFAR-10 run (shorter on the phone).
const SHOTS = [
  { file: 'playground.png', viewport: { width: 1400, height: 900 }, query: '?autorun=toy,cnn&toySteps=300&data=spiral&layers=8,8,6&lr=0.02&train=1000&test=500&batch=50&epochs=4' },
  { file: 'playground-phone.png', viewport: { width: 390, height: 844 }, query: '?autorun=toy,cnn&toySteps=300&data=spiral&layers=8,8,6&lr=0.02&train=500&test=200&batch=50&epochs=2' },
];

const server = spawn(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), 'playground', '--port', '0', '--data', archive], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((done, fail) => {
  let text = '';
  server.stdout.on('data', (c) => {
    text += c;
    const m = /lisht playground: (http:\/\/\S+\/)/.exec(text);
    if (m) done(m[1]);
  });
  server.once('exit', (code) => fail(new Error(`lisht playground exited with ${code}`)));
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
try {
  for (const shot of SHOTS) {
    const page = await browser.newPage({ viewport: shot.viewport, deviceScaleFactor: 1 });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${url}${shot.query}`);
    await page.waitForFunction(() => globalThis.playground?.ready && ['done', 'error'].includes(globalThis.playground.cnn.status) && !globalThis.playground.toy.isRunning, undefined, { timeout: 600_000, polling: 1000 });
    const status = await page.evaluate(() => globalThis.playground.cnn.status);
    if (status !== 'done') throw new Error(`the CIFAR run ended with status ${status}: ${await page.locator('#cnn-message').innerText()}`);
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, shot.file);
    await page.screenshot({ path: out, fullPage: true });
    console.log(`wrote ${out}`);
    await page.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
