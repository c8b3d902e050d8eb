import type { RgbImage, Tile } from './tiles.js';
import { enlarge } from './tiles.js';

const RESET = '\x1b[0m';

function colour(kind: 38 | 48, rgb: Uint8Array, at: number): string {
  return `\x1b[${kind};2;${rgb[at]};${rgb[at + 1]};${rgb[at + 2]}m`;
}

/**
 * An image as lines of true-colour half blocks: each character shows two pixel rows, the upper
 * as the foreground of `▀`, the lower as its background.
 */
export function halfBlockLines(image: RgbImage): string[] {
  const lines: string[] = [];
  for (let y = 0; y < image.height; y += 2) {
    let line = '';
    for (let x = 0; x < image.width; x++) {
      const top = (y * image.width + x) * 3;
      const bottom = y + 1 < image.height ? colour(48, image.rgb, top + image.width * 3) : '\x1b[49m';
      line += `${colour(38, image.rgb, top)}${bottom}▀`;
    }
    lines.push(line + RESET);
  }
  return lines;
}

function pad(text: string, width: number): string {
  const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return cut.padEnd(width);
}

/**
 * Tiles drawn for a terminal of `columns` characters: as many per row as fit, each caption
 * under its image. Half blocks keep pixels square at any integer scale; a single tile is
 * doubled when the terminal is wide enough, since 32 columns is small to look at.
 */
export function renderTilesTerminal(tiles: Tile[], columns: number): string {
  const width = Math.max(...tiles.map((t) => t.image.width));
  const scale = tiles.length === 1 ? Math.max(1, Math.min(2, Math.floor(columns / width))) : 1;
  const cell = width * scale;
  const perRow = Math.max(1, Math.floor((columns + 1) / (cell + 1)));
  const out: string[] = [];
  for (let start = 0; start < tiles.length; start += perRow) {
    const row = tiles.slice(start, start + perRow);
    const drawn = row.map((t) => halfBlockLines(enlarge(t.image, scale)));
    const height = Math.max(...drawn.map((d) => d.length));
    for (let line = 0; line < height; line++) {
      out.push(drawn.map((d) => d[line] ?? ' '.repeat(cell)).join(' '));
    }
    out.push(row.map((t) => pad(t.caption, cell)).join(' ').trimEnd());
  }
  return out.join('\n') + '\n';
}
