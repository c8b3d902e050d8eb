import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  embedSvg,
  encodePng,
  dataUrl,
  htmlReport,
  lineChart,
  percent,
  renderSvg,
  type Report,
} from '../../src/reports/index.js';

const EVIL = '<script>alert("x")</script> & \'quotes\'';

/** Every URL the page would load or link to: src/href attributes and CSS url(). */
function references(html: string): string[] {
  const refs = [...html.matchAll(/\b(?:src|href|xlink:href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1]!);
  refs.push(...[...html.matchAll(/url\(\s*["']?([^"')]*)/gi)].map((m) => m[1]!));
  return refs;
}

async function sampleReport(): Promise<{ report: Report; html: string }> {
  const chart = lineChart([{ name: 'train', y: [0.2, 0.5, 0.7] }, { name: 'test', y: [0.2, 0.4, 0.6] }], {
    title: 'Model accuracy (lisht)',
    yDomain: [0, 1],
  });
  const svg = await renderSvg(chart);
  const png = encodePng(new Uint8Array([255, 0, 0, 0, 255, 0]), 2, 1, 3);
  const report: Report = {
    title: `Report ${EVIL}`,
    subtitle: `subtitle ${EVIL}`,
    sections: [
      {
        heading: `Accuracy ${EVIL}`,
        blocks: [
          { kind: 'paragraph', text: `para ${EVIL}` },
          { kind: 'svg', svg, caption: `caption ${EVIL}` },
          { kind: 'svg', svg },
        ],
      },
      {
        heading: 'Model',
        blocks: [
          { kind: 'pre', text: `Layer (type)   Output Shape\n${EVIL}`, caption: 'summary' },
          { kind: 'image', src: dataUrl(png), alt: `alt ${EVIL}`, pixelated: true },
          { kind: 'keyValue', items: [[`key ${EVIL}`, 0.5], ['seed', 42]] },
        ],
      },
      {
        heading: 'Results',
        blocks: [
          {
            kind: 'table',
            caption: 'final',
            columns: [{ header: `activation ${EVIL}` }, { header: 'test acc', format: percent(2) }, { header: 'params' }],
            rows: [
              [`lisht ${EVIL}`, 0.71234, 122570],
              ['relu', 0.7, 122570],
            ],
          },
        ],
      },
    ],
  };
  return { report, html: htmlReport(report) };
}

test('htmlReport: a complete page with every block and both charts inline', async () => {
  const { html } = await sampleReport();
  assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
  assert.ok(html.trimEnd().endsWith('</html>'));
  assert.equal(html.match(/<svg[\s>]/g)?.length, 2);
  assert.equal(html.match(/>Model accuracy \(lisht\)</g)?.length, 2);
  assert.match(html, /<table>/);
  assert.match(html, /<td class="right">71\.23%<\/td>/);
  assert.match(html, /<th class="left" scope="col">activation/);
  assert.match(html, /<pre>Layer \(type\)   Output Shape\n/);
  assert.match(html, /<img src="data:image\/png;base64,[A-Za-z0-9+/=]+" alt="alt /);
  assert.match(html, /<dt>key [^<]*<\/dt><dd>0\.5000<\/dd>/);
  assert.match(html, /<nav aria-label="Contents">/);
  assert.match(html, /@media print/);
});

test('htmlReport escapes every piece of text', async () => {
  const { html } = await sampleReport();
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /alert\("x"\)/);
  const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;';
  // title tag, h1, subtitle, heading (+ nav), paragraph, caption, pre, alt, key, header, cell
  assert.equal(html.split(escaped).length - 1, 12);
});

test('htmlReport is self-contained: no external URLs, no scripts, a CSP that forbids fetching', async () => {
  const { html } = await sampleReport();
  for (const ref of references(html)) {
    assert.ok(ref.startsWith('#') || ref.startsWith('data:image/'), `unexpected reference ${ref.slice(0, 60)}`);
  }
  // The only http(s) strings allowed are XML namespace names, which are never fetched.
  const withoutNamespaces = html.replace(/\sxmlns(?::\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '');
  assert.doesNotMatch(withoutNamespaces, /https?:\/\//);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.doesNotMatch(html, /@import|<link|<iframe|<object|<embed/i);
});

test('two copies of a chart get distinct ids, and each reference follows its own copy', async () => {
  const { html } = await sampleReport();
  const ids = [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  const refs = [...html.matchAll(/url\(#([^)]*)\)/g)].map((m) => m[1]!);
  assert.ok(refs.length >= 2, 'the charts have clip paths');
  for (const ref of refs) assert.ok(ids.includes(ref), `${ref} points at an element`);
});

test('embedSvg: prefixes ids and their references, refuses scripts and external references', () => {
  const svg =
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><defs><clipPath id="c1"><rect/></clipPath></defs>' +
    '<g clip-path="url(#c1)"><use href="#c1"/><text>x on=1, see url(http://x)</text></g></svg>';
  const out = embedSvg(svg, 'p-');
  assert.ok(out.startsWith('<svg'));
  assert.match(out, /id="p-c1"/);
  assert.match(out, /url\(#p-c1\)/);
  assert.match(out, /href="#p-c1"/);
  assert.throws(() => embedSvg('<svg><script>1</script></svg>', 'p'), /scripts/);
  assert.throws(() => embedSvg('<svg><rect onclick="x()"/></svg>', 'p'), /event handlers/);
  assert.throws(() => embedSvg('<svg><image href="https://example.com/a.png"/></svg>', 'p'), /external/);
  assert.throws(() => embedSvg('<svg><rect fill="url(http://x/y#z)"/></svg>', 'p'), /external/);
  assert.throws(() => embedSvg('<div></div>', 'p'), /not an <svg>/);
});

test('image blocks must be data URLs', () => {
  const report = (src: string): Report => ({ title: 't', sections: [{ heading: 'h', blocks: [{ kind: 'image', src, alt: 'a' }] }] });
  assert.throws(() => htmlReport(report('https://example.com/a.png')), /data:image/);
  assert.throws(() => htmlReport(report('data:text/html;base64,PHNjcmlwdD4=')), /data:image/);
  assert.throws(() => htmlReport(report('data:image/png;base64,AAAA" onerror="x')), /data:image/);
  assert.doesNotThrow(() => htmlReport(report('data:image/png;base64,AAAA')));
});

test('tables in the report reject rows that do not match the columns', () => {
  const report: Report = {
    title: 't',
    sections: [{ heading: 'h', blocks: [{ kind: 'table', columns: [{ header: 'a' }], rows: [[1, 2]] }] }],
  };
  assert.throws(() => htmlReport(report), /row 0 has 2 cells for 1 columns/);
});
