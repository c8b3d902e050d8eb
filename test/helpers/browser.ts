/**
 * Real pages in Debian's headless Chromium, driven by playwright-core, with the network off:
 * a page bundled by esbuild, served from 127.0.0.1 with the files it names, every other
 * request aborted (and recorded, so a test can insist there were none).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Handler, type TestServer } from './http-server.js';

export const CHROMIUM = '/usr/bin/chromium';
/** A skip reason when Chromium is missing, else false. */
export const skipNoChromium: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found; install Debian's chromium to run the browser tests`;

/**
 * SwiftShader behind both GPU APIs (field-notes.md): WebGL through ANGLE, WebGPU through
 * Dawn on SwiftShader's Vulkan. CPU rasterisers, for correctness, not speed.
 */
const GPU_FLAGS = [
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
];
const QUIET_FLAGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Bundles `entry` (JavaScript) for the browser; returns the code, its inputs (the metafile's,
 * relative to the working directory) and the errors. `nodePaths` are searched for packages
 * the entry's own node_modules lack, like NODE_PATH.
 */
export async function bundleForBrowser(entry: string, options: { nodePaths?: string[] } = {}): Promise<{ code: string; inputs: string[]; errors: string[] }> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    nodePaths: options.nodePaths ?? [],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: 'page.js',
  }).catch((err: { errors?: { text: string }[] }) => ({ errors: err.errors ?? [{ text: String(err) }], outputFiles: [], metafile: { inputs: {} } }));
  return {
    code: result.outputFiles?.[0]?.text ?? '',
    inputs: Object.keys(result.metafile?.inputs ?? {}),
    errors: result.errors.map((e) => e.text),
  };
}

/** A byte-for-byte file response. */
export function serveFile(path: string, contentType: string): Handler {
  return (_req, res) => {
    const body = readFileSync(path);
    res.writeHead(200, { 'content-type': contentType, 'content-length': body.length }).end(body);
  };
}

/** A page's script module, inside an empty HTML page. */
export function pageRoutes(script: string, extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    '/': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>'),
    '/page.js': (_req, res) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(script),
    ...extra,
  };
}

export interface BrowserSession {
  server: TestServer;
  browser: Browser;
  /** Requests that left 127.0.0.1 (all aborted). */
  blocked: string[];
  /** Console errors and uncaught page errors, per page opened. */
  problems: string[];
  /** A fresh page (own TensorFlow.js state) at the server's root, once its script has run. */
  open(ready: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Headless Chromium with SwiftShader behind WebGL and WebGPU; with `gpu: false`, as it starts
 * by default: `navigator.gpu` exists but offers no adapter ("No available adapters.").
 */
export async function launchChromium(options: { gpu?: boolean } = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...QUIET_FLAGS, ...(options.gpu === false ? [] : GPU_FLAGS)] });
}

/** Starts the server and Chromium; pages may only reach the server. */
export async function startBrowser(routes: Record<string, Handler>, options: { gpu?: boolean } = {}): Promise<BrowserSession> {
  const server = await startServer(routes);
  const browser = await launchChromium(options);
  const blocked: string[] = [];
  const problems: string[] = [];
  const context = await browser.newContext();
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${server.url}/`)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return {
    server,
    browser,
    blocked,
    problems,
    async open(ready) {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await page.waitForFunction(ready, undefined, { timeout: 30_000 });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
