import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { UserError } from '../../errors.js';
import { enlarge, gridColumns, type RgbImage, type Tile } from './tiles.js';

const require = createRequire(import.meta.url);
const FONT_FILE = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_SIZE = 13;
const CAPTION_HEIGHT = 20;
const PAD = 8;
// DejaVu Sans at 13 px averages under 8 px a character; captions are cut to fit their tile.
const CHAR_WIDTH = 7.5;

/**
 * The largest picture drawn: 64 megapixels (192 MiB of RGB, several copies of it on the way
 * through the SVG renderer). A CIFAR image at --scale 100000 would be 3.2 million pixels wide.
 */
export const MAX_PNG_PIXELS = 64 * 1024 * 1024;

function encodePng(image: RgbImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(image.rgb.buffer, image.rgb.byteOffset, image.rgb.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function fit(text: string, width: number): string {
  const max = Math.max(3, Math.floor(width / CHAR_WIDTH));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Draws tiles (enlarged `scale` times, nearest neighbour) in a near-square grid with each
 * caption under its image, and returns the PNG. Text is set with the bundled DejaVu Sans so the
 * output does not depend on the system's fonts.
 */
export function renderTilesPng(tiles: Tile[], scale: number): Buffer {
  const columns = gridColumns(tiles.length);
  const rows = Math.ceil(tiles.length / columns);
  const cellWidth = Math.max(...tiles.map((t) => t.image.width)) * scale;
  const cellHeight = Math.max(...tiles.map((t) => t.image.height)) * scale + CAPTION_HEIGHT;
  const width = columns * cellWidth + (columns + 1) * PAD;
  const height = rows * cellHeight + (rows + 1) * PAD;
  if (width * height > MAX_PNG_PIXELS) {
    throw new UserError(`the picture would be ${width} x ${height} pixels at scale ${scale}; at most ${MAX_PNG_PIXELS} pixels are drawn (lower --scale or --grid)`);
  }
  const parts = tiles.map((tile, i) => {
    const x = PAD + (i % columns) * (cellWidth + PAD);
    const y = PAD + Math.floor(i / columns) * (cellHeight + PAD);
    const big = enlarge(tile.image, scale);
    const href = `data:image/png;base64,${encodePng(big).toString('base64')}`;
    return (
      `<image x="${x}" y="${y}" width="${big.width}" height="${big.height}" href="${href}"/>` +
      `<text x="${x}" y="${y + big.height + CAPTION_HEIGHT - 6}">${escapeXml(fit(tile.caption, cellWidth))}</text>`
    );
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<g font-family="DejaVu Sans" font-size="${FONT_SIZE}" fill="black">${parts.join('')}</g></svg>`;
  const resvg = new Resvg(svg, {
    font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
