/**
 * A labelled grid of images (e.g. test images with predicted and true class) as one SVG: it can
 * go straight into the HTML report, and `svgToPng` turns it into a PNG with the same fonts as the
 * charts. Text is real text, not pixels, so it stays sharp and searchable.
 */
import { CHART_FONT } from './charts/common.js';
import { dejaVuWidths, measureText } from './fonts.js';
import { escapeHtml } from './escape.js';
import { pngDataUrl, upscale, type RawImage } from './images.js';

export interface GalleryItem {
  image: RawImage;
  /** First caption line, e.g. "pred: cat". */
  label?: string;
  /** Second caption line, e.g. "true: dog". */
  sublabel?: string;
  /** Draw attention to this one (red frame and captions), e.g. a wrong prediction. */
  highlight?: boolean;
}

export interface GalleryOptions {
  /** Images per row; default up to 8. */
  columns?: number;
  /** Integer nearest-neighbour upscaling, done on the pixels so no viewer can blur them; default 3. */
  scale?: number;
  title?: string;
}

const FONT_SIZE = 11;
const LINE = 14;
const PAD = 8;
const HIGHLIGHT = '#d62728';

/**
 * Renders `items` as an SVG grid with up to two caption lines under each image.
 *
 * @example imageGallerySvg(samples.map((s) => ({ image: s.image, label: `pred: ${s.pred}`,
 *   sublabel: `true: ${s.truth}`, highlight: s.pred !== s.truth })), { title: 'Test samples (lisht)' })
 */
export function imageGallerySvg(items: readonly GalleryItem[], options: GalleryOptions = {}): string {
  if (items.length === 0) throw new RangeError('imageGallerySvg needs at least one item');
  const scale = options.scale ?? 3;
  const columns = Math.min(items.length, options.columns ?? 8);
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`columns must be a positive integer, got ${columns}`);
  const widths = dejaVuWidths();
  const tiles = items.map((item) => upscale(item.image, scale));
  const textWidth = Math.max(0, ...items.flatMap((i) => [i.label ?? '', i.sublabel ?? ''].map((t) => measureText(widths, t, FONT_SIZE))));
  const lines = Math.max(...items.map((i) => (i.sublabel ? 2 : i.label ? 1 : 0)));
  const cellW = Math.ceil(Math.max(...tiles.map((t) => t.width), textWidth));
  const imageH = Math.max(...tiles.map((t) => t.height));
  const cellH = imageH + (lines > 0 ? 4 + lines * LINE : 0);
  const titleH = options.title ? 28 : 0;
  const rows = Math.ceil(items.length / columns);
  const width = PAD + columns * (cellW + PAD);
  const height = titleH + PAD + rows * (cellH + PAD);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}" font-size="${FONT_SIZE}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (options.title) {
    parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15">${escapeHtml(options.title)}</text>`);
  }
  items.forEach((item, i) => {
    const tile = tiles[i]!;
    const x = PAD + (i % columns) * (cellW + PAD);
    const y = titleH + PAD + Math.floor(i / columns) * (cellH + PAD);
    const ix = x + Math.floor((cellW - tile.width) / 2);
    const href = pngDataUrl(tile.pixels, tile.width, tile.height, tile.channels);
    // Pixels are already upscaled; this keeps resvg (and most browsers) from blurring them further.
    parts.push(`<image x="${ix}" y="${y}" width="${tile.width}" height="${tile.height}" image-rendering="optimizeSpeed" href="${href}"/>`);
    if (item.highlight) {
      parts.push(
        `<rect x="${ix - 1}" y="${y - 1}" width="${tile.width + 2}" height="${tile.height + 2}" fill="none" stroke="${HIGHLIGHT}" stroke-width="2"/>`,
      );
    }
    const fill = item.highlight ? HIGHLIGHT : '#222222';
    [item.label, item.sublabel].forEach((text, line) => {
      if (!text) return;
      const ty = y + imageH + 4 + (line + 1) * LINE - 3;
      parts.push(`<text x="${x + cellW / 2}" y="${ty}" text-anchor="middle" fill="${fill}">${escapeHtml(text)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
