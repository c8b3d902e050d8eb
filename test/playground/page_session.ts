/**
 * The real `lisht playground` on a free port and headless Chromium pointed at it, for the page
 * tests: pages may reach only the server; console errors, page errors and HTTP errors are
 * recorded so a test can insist there were none.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startPlaygroundCli, type RunningPlayground } from './cli_server.js';

export interface PageSession {
  url: string;
  /** Console errors, page errors and responses of 400 and above, each prefixed by the page's query. */
  problems: string[];
  /** Requests that would have left the server (aborted). */
  blocked: string[];
  /** A new page at `query` once `window.playground.ready` and `until` hold. */
  open(query: string, options?: { until?: string; init?: () => void; viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

/** Starts `lisht playground ARGS`, or serves `base` (another server's URL) when given. */
export async function startPageSession(args: string[], base?: string): Promise<PageSession> {
  const running: RunningPlayground | undefined = base ? undefined : await startPlaygroundCli(args);
  const url = base ?? running!.url;
  const browser: Browser = await launchChromium();
  const problems: string[] = [];
  const blocked: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    url,
    problems,
    blocked,
    async open(query, options = {}) {
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 1000 } });
      contexts.push(context);
      await context.route('**/*', (route) => {
        const target = route.request().url();
        if (target.startsWith(url) || target.startsWith('blob:') || target.startsWith('data:')) return route.continue();
        blocked.push(target);
        return route.abort();
      });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`${query}: console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${query}: pageerror: ${e.message}`));
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`${query}: HTTP ${r.status()} ${r.url()}`);
      });
      if (options.init) await page.addInitScript(options.init);
      await page.goto(`${url}${query}`);
      await page.waitForFunction(`globalThis.playground?.ready === true && (${options.until ?? 'true'})`, undefined, { timeout: 60_000, polling: 200 });
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await running?.stop();
    },
  };
}
