/**
 * Issue 24, the page as seen and heard: it fits a phone (360 and 390 px) without sideways
 * scrolling, progress lines stay readable, axe-core finds no serious or critical violation,
 * every chart has a text alternative, the drop zone takes focus, and the static build
 * (`lisht playground --build`) asks for no archive it cannot have.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';
import type { Page } from 'playwright-core';
import type { PlaygroundApi } from '../../src/playground/web/main.js';
import { skipNoChromium } from '../helpers/browser.js';
import { runCli, SHARED_DATASETS, tempDir } from '../helpers/env.js';
import { startPageSession, type PageSession } from './page_session.js';

const SUBSET = join(SHARED_DATASETS, 'cifar-10-subset-binary.tar.gz');
const skip = skipNoChromium || (existsSync(SUBSET) ? false : `${SUBSET} not found`);
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RUN = '?autorun=toy,cnn&toySteps=6&train=40&test=20&batch=20&epochs=1';
const DONE = "['done', 'error'].includes(globalThis.playground.cnn.status) && !globalThis.playground.toy.isRunning";

let session: PageSession;
before(async () => {
  if (!skip) session = await startPageSession(['--data', SUBSET]);
});
after(async () => {
  await session?.close();
});

type Win = { playground: PlaygroundApi };

/**
 * What sticks out sideways at this width: the page's scroll width against the viewport, each
 * section's own, and every element whose box ends right of the viewport (inside a box that
 * scrolls on its own, like the model summary's table, it does not count).
 */
function overflow(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (el: Element) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const outside: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      if (el.closest('.sr-only')) continue;
      let up = el.parentElement;
      while (up && up !== document.body && !scrolls(up)) up = up.parentElement;
      if (up && up !== document.body) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5) outside.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className} ends at ${Math.round(r.right)}`);
    }
    return {
      width,
      scrollWidth: document.documentElement.scrollWidth,
      sections: Array.from(document.querySelectorAll('header, section, footer, #banner')).filter((s) => s.scrollWidth > s.clientWidth).map((s) => `${s.id || s.tagName}: ${s.scrollWidth} > ${s.clientWidth}`),
      outside,
    };
  });
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 5).join(', ')})`);
}

for (const width of [360, 390]) {
  test(`item 2: at ${width} px every section fits without sideways scrolling, before and after a run; item 5: progress lines wrap, headed by their activation`, { skip, timeout: 120_000 }, async () => {
    const viewport = { width, height: 844 };
    const idle = await session.open('', { viewport, until: "globalThis.playground.cnn.status === 'ready'" });
    const ran = await session.open(RUN, { viewport, until: DONE });
    try {
      for (const [when, page] of [['before a run (undrawn canvases)', idle], ['after a run', ran]] as const) {
        const o = await overflow(page);
        assert.equal(o.width, width);
        assert.ok(o.scrollWidth <= width, `${when}: the page is ${o.scrollWidth} px wide at ${width} px`);
        assert.deepEqual(o.sections, [], when);
        assert.deepEqual(o.outside, [], when);
      }
      assert.equal(await ran.evaluate(() => (globalThis as unknown as Win).playground.cnn.status), 'done');
      const blocks = await ran.evaluate(() =>
        Array.from(document.querySelectorAll('#cnn-progress .term-block')).map((b) => {
          const pre = b.querySelector('pre')!;
          return { heading: b.querySelector('h3')!.textContent, text: pre.textContent!, fits: pre.scrollWidth <= pre.clientWidth };
        }),
      );
      assert.deepEqual(blocks.map((b) => [b.heading, b.fits]), [['A: LiSHT', true], ['B: ReLU', true]]);
      for (const b of blocks) assert.match(b.text, /loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}/);
      assert.deepEqual(await axeViolations(ran), []);
    } finally {
      await idle.close();
      await ran.close();
    }
    assert.deepEqual(session.problems, []);
  });
}

test('item 6: axe-core finds no serious or critical violation on the desktop page; every chart has a name and a text alternative; the drop zone takes focus and opens the file chooser', { skip, timeout: 120_000 }, async () => {
  const page = await session.open(RUN, { viewport: { width: 1400, height: 900 }, until: DONE });
  try {
    await page.click('#cnn summary');
    assert.deepEqual(await axeViolations(page), []);
    const charts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('canvas')).map((c) => {
        const described = document.getElementById(c.getAttribute('aria-describedby') ?? '');
        const cells = Array.from(described?.querySelectorAll('caption, th, td') ?? []).map((cell) => cell.textContent);
        return { id: c.id, role: c.getAttribute('role'), label: c.getAttribute('aria-label') ?? '', description: cells.length > 0 ? cells.join(' ') : (described?.textContent ?? '') };
      }),
    );
    assert.equal(charts.length, 7);
    for (const c of charts) {
      assert.equal(c.role, 'img', c.id);
      assert.ok(c.label.length > 10, `${c.id} has a label: ${c.label}`);
      assert.ok(c.description.length > 10, `${c.id} has a description: ${c.description}`);
    }
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    assert.match(byId['chart-f'].label, /^f\(x\): LiSHT, ReLU$/);
    assert.match(byId['chart-f'].description, /LiSHT\s*401\s*0 to 3\.9973\s*4\s*3\.9973/);
    assert.match(byId['cnn-accuracy'].description, /LiSHT train\s*2\b/);
    assert.match(byId['surface-a'].description, /LiSHT: step 6/);

    // axe leaves text on a gradient to a person: the header's A and B labels against both of its stops.
    const header = await page.evaluate(() => ['label.a', 'label.b'].map((s) => getComputedStyle(document.querySelector(s)!).color));
    for (const colour of header) {
      for (const stop of [[0x1f, 0x24, 0x30], [0x30, 0x38, 0x4d]]) {
        const ratio = contrast(colour.match(/\d+/g)!.slice(0, 3).map(Number), stop);
        assert.ok(ratio >= 4.5, `header label ${colour} on rgb(${stop}): ${ratio.toFixed(2)}:1`);
      }
    }

    await page.focus('#drop');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'drop');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 10_000 }), page.keyboard.press('Enter')]);
    assert.equal(chooser.isMultiple(), false);
  } finally {
    await page.close();
  }
  assert.deepEqual(session.problems, []);
});

/** WCAG's contrast ratio of two sRGB colours (0-255 channels). */
function contrast(a: number[], b: number[]): number {
  const lum = (c: number[]) => {
    const [r, g, bl] = c.map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Serves `dir` as a plain static host would: no COOP/COEP, 404 for what is not there. */
async function staticHost(dir: string): Promise<{ url: string; server: Server }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.txt': 'text/plain' };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

test('item 4: the static build asks for no data archive (no 404) and says it is a static build', { skip, timeout: 90_000 }, async () => {
  const dir = tempDir('lisht-static-site-');
  const site = join(dir.path, 'site');
  const built = await runCli(['playground', '--build', site]);
  assert.equal(built.code, 0, built.stderr);
  const host = await staticHost(site);
  const statics = await startPageSession([], host.url);
  try {
    const page = await statics.open('', { until: "globalThis.playground.cnn.status === 'no data'" });
    assert.equal(await page.evaluate(() => (globalThis as unknown as Win).playground.staticSite), true);
    assert.match(await page.locator('footer').innerText(), /^A static build of the LiSHT playground/);
    assert.match(await page.locator('#cnn-message').innerText(), /^No data set served\. Drop a CIFAR-10 binary archive/);
    // Its CNN worker started all the same (wasm from the site's own wasm/ folder).
    assert.equal(await page.evaluate(() => (globalThis as unknown as Win).playground.cnn.backend?.name), 'wasm');
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as Win).playground.messages), []);
    await page.close();
    assert.deepEqual(statics.problems, []);
    assert.deepEqual(statics.blocked, []);
  } finally {
    await statics.close();
    await new Promise((r) => host.server.close(r));
    dir.remove();
  }
});
