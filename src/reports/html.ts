/**
 * A self-contained HTML report: one file with inline CSS, charts as inline SVG and images as
 * data URLs. No scripts and no external resources, so it opens offline, from an archive, in
 * ten years; a Content-Security-Policy makes the browser enforce that.
 */
import { escapeHtml } from './escape.js';
import { checkRows, columnAlign, formatCell, type Cell, type Column, type Row } from './table.js';

/** One piece of content in a section. */
export type Block =
  | { kind: 'paragraph'; text: string }
  /** An SVG document, e.g. from `renderSvg` or `imageGallerySvg`, embedded as markup. */
  | { kind: 'svg'; svg: string; caption?: string }
  /** `src` must be a base64 `data:image/...` URL (see `pngDataUrl`, `dataUrl`). */
  | { kind: 'image'; src: string; alt: string; caption?: string; width?: number; pixelated?: boolean }
  | { kind: 'table'; columns: readonly Column[]; rows: readonly Row[]; caption?: string }
  /** Preformatted text, e.g. a model summary. */
  | { kind: 'pre'; text: string; caption?: string }
  | { kind: 'keyValue'; items: readonly (readonly [string, Cell])[]; caption?: string };

export interface Section {
  heading: string;
  blocks: readonly Block[];
}

export interface Report {
  title: string;
  subtitle?: string;
  sections: readonly Section[];
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; color: #1d1d1f; background: #fff;
  font: 15px/1.5 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header { border-bottom: 2px solid #1d1d1f; margin-bottom: 8px; }
h1 { font-size: 1.8em; margin: 0 0 4px; }
.subtitle { color: #555; margin: 0 0 12px; }
nav ol { margin: 8px 0 0; padding-left: 1.4em; columns: 2 16em; }
nav a { color: #2a5db0; text-decoration: none; }
nav a:hover { text-decoration: underline; }
section { margin-top: 32px; }
h2 { font-size: 1.35em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p { max-width: 80ch; }
figure { display: inline-block; vertical-align: top; margin: 0 24px 24px 0; max-width: 100%; }
figure svg, figure img { display: block; max-width: 100%; height: auto; }
figure img.pixelated { image-rendering: pixelated; }
figcaption, caption { color: #555; font-size: 0.9em; padding: 4px 0; text-align: left; caption-side: bottom; }
table { border-collapse: collapse; margin: 0 0 24px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px; border-bottom: 1px solid #e3e3e3; }
th { border-bottom: 2px solid #999; font-weight: 600; }
tbody tr:nth-child(even) { background: #f7f7f9; }
.right { text-align: right; }
.left { text-align: left; }
pre { background: #f6f8fa; border: 1px solid #e3e3e3; border-radius: 4px; padding: 12px; overflow-x: auto;
  font: 12.5px/1.4 "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; margin: 0 0 24px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0 0 24px; }
dt { color: #555; }
dd { margin: 0; font-variant-numeric: tabular-nums; }
.block-caption { color: #555; font-size: 0.9em; margin: -16px 0 24px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  section { break-before: auto; }
  h2 { break-after: avoid; }
  figure, table, pre, dl { break-inside: avoid; }
  tbody tr:nth-child(even) { background: none; }
  a { color: inherit; }
}
`;

/** No scripts, no fetches: only inline styles and `data:` images may load. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]*={0,2}$/;

/**
 * Makes an SVG document safe to paste into the page. Charts are ours, so this is about bugs,
 * not attackers: it refuses anything that would run or fetch, and prefixes every `id` (and the
 * references to it) because Vega numbers clip paths and gradients per process, and two SVGs
 * with the same `id` in one page would borrow each other's clipping.
 */
export function embedSvg(svg: string, idPrefix: string): string {
  const body = svg
    .trim()
    .replace(/^<\?xml[^>]*\?>\s*/, '')
    .replace(/^<!DOCTYPE[^>]*>\s*/i, '');
  if (!/^<svg[\s>]/.test(body) || !body.endsWith('</svg>')) throw new Error('svg block: not an <svg> document');
  // Text content is escaped, so a raw `<` always opens a tag: checking inside tags only means
  // a chart titled "x on=1" or "see url(...)" is not mistaken for markup.
  if (/<script|<foreignObject|<[^>]*\son[a-z]+\s*=/i.test(body)) throw new Error('svg block: scripts and event handlers are not allowed');
  if (/<[^>]*(?:\bhref\s*=\s*["'](?!#|data:)|url\(\s*["']?(?!#|data:))/i.test(body)) {
    throw new Error('svg block: external references are not allowed; a report must be self-contained');
  }
  const ids = new Set([...body.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!));
  if (ids.size === 0) return body;
  const scoped = (id: string) => (ids.has(id) ? `${idPrefix}${id}` : id);
  return body
    .replace(/(\sid=")([^"]*)"/g, (_, head: string, id: string) => `${head}${scoped(id)}"`)
    .replace(/url\(#([^)]*)\)/g, (_, id: string) => `url(#${scoped(id)})`)
    .replace(/(href=")#([^"]*)"/g, (_, head: string, id: string) => `${head}#${scoped(id)}"`);
}

function caption(text: string | undefined, tag: 'figcaption' | 'caption'): string {
  return text ? `<${tag}>${escapeHtml(text)}</${tag}>` : '';
}

/** A caption under a block that has no caption element of its own (pre, dl). */
function blockCaption(text: string | undefined): string {
  return text ? `<p class="block-caption">${escapeHtml(text)}</p>` : '';
}

function renderTable(columns: readonly Column[], rows: readonly Row[], title?: string): string {
  checkRows(columns, rows);
  const aligns = columns.map((_, i) => columnAlign(columns, rows, i));
  const head = columns.map((c, i) => `<th class="${aligns[i]}" scope="col">${escapeHtml(c.header)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((v, i) => `<td class="${aligns[i]}">${escapeHtml(formatCell(columns[i]!, v))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>${caption(title, 'caption')}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function renderBlock(block: Block, idPrefix: string): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'svg':
      return `<figure>${embedSvg(block.svg, idPrefix)}${caption(block.caption, 'figcaption')}</figure>`;
    case 'image': {
      if (!DATA_IMAGE.test(block.src)) {
        throw new Error('image block: src must be a base64 data:image URL; a report must be self-contained');
      }
      const width = block.width !== undefined ? ` width="${Math.round(block.width)}"` : '';
      const cls = block.pixelated ? ' class="pixelated"' : '';
      return `<figure><img src="${block.src}" alt="${escapeHtml(block.alt)}"${width}${cls}>${caption(block.caption, 'figcaption')}</figure>`;
    }
    case 'table':
      return renderTable(block.columns, block.rows, block.caption);
    case 'pre':
      return `<pre>${escapeHtml(block.text)}</pre>${blockCaption(block.caption)}`;
    case 'keyValue': {
      const items = block.items
        .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(formatCell({ header: key }, value))}</dd>`)
        .join('');
      return `<dl>${items}</dl>${blockCaption(block.caption)}`;
    }
  }
}

/**
 * Builds the whole page. All text is escaped; SVG blocks are checked by `embedSvg`; image blocks
 * must be data URLs. With more than two sections a table of contents comes first.
 *
 * @example htmlReport({ title: 'LiSHT vs ReLU on CIFAR-10', sections: [{ heading: 'Accuracy',
 *   blocks: [{ kind: 'svg', svg: await renderSvg(chart) }] }] })
 */
export function htmlReport(report: Report): string {
  let blockCount = 0;
  const sections = report.sections.map((section, s) => {
    const blocks = section.blocks.map((block) => renderBlock(block, `b${++blockCount}-`)).join('\n');
    return `<section id="section-${s + 1}">\n<h2>${escapeHtml(section.heading)}</h2>\n${blocks}\n</section>`;
  });
  const nav =
    report.sections.length > 2
      ? `<nav aria-label="Contents"><ol>${report.sections
          .map((section, s) => `<li><a href="#section-${s + 1}">${escapeHtml(section.heading)}</a></li>`)
          .join('')}</ol></nav>`
      : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="generator" content="lisht">
<title>${escapeHtml(report.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(report.title)}</h1>
${report.subtitle ? `<p class="subtitle">${escapeHtml(report.subtitle)}</p>` : ''}
${nav}
</header>
<main>
${sections.join('\n')}
</main>
</body>
</html>
`;
}
