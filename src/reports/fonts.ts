/**
 * The bundled DejaVu Sans: where its files are, and how wide its text is. Vega can only measure
 * text with a canvas, which Node lacks, so it guesses 0.8 em per character and leaves gaps (a
 * rotated "automobile" label pushes the axis title far away). Measuring with the font resvg
 * draws with keeps the layout tight and the SVG and PNG identical.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as vega from 'vega';

const FONT_DIR = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** The family name inside the bundled files. */
export const FONT_FAMILY = 'DejaVu Sans';

/** Regular, bold and the two obliques, so bold or italic text in a spec is neither faked nor lost. */
export const FONT_FILES: readonly string[] = [
  'DejaVuSans.ttf',
  'DejaVuSans-Bold.ttf',
  'DejaVuSans-Oblique.ttf',
  'DejaVuSans-BoldOblique.ttf',
].map((file) => join(FONT_DIR, file));

/** Advance widths in em for every Basic Multilingual Plane code point the font covers. */
export interface AdvanceWidths {
  /** Width in em of code point `c` (< 0x10000), or NaN where the font has no glyph. */
  readonly em: Float32Array;
  /** Width used for characters the font lacks: the width of "n". */
  readonly fallback: number;
}

/**
 * Reads the advance widths of a TrueType font: `cmap` (format 4 subtable, platform 3) maps code
 * points to glyphs, `hmtx` gives each glyph's advance, `head` the units per em.
 */
export function readAdvanceWidths(ttf: Uint8Array): AdvanceWidths {
  const view = new DataView(ttf.buffer, ttf.byteOffset, ttf.byteLength);
  const tables = new Map<string, number>();
  const numTables = view.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const record = 12 + 16 * i;
    const tag = String.fromCharCode(...ttf.subarray(record, record + 4));
    tables.set(tag, view.getUint32(record + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`font has no ${tag} table`);
    return offset;
  };
  const unitsPerEm = view.getUint16(table('head') + 18);
  const numberOfHMetrics = view.getUint16(table('hhea') + 34);
  const hmtx = table('hmtx');
  // Glyphs past numberOfHMetrics share the last advance width (monospaced tails).
  const advance = (glyph: number): number => view.getUint16(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1)) / unitsPerEm;

  const cmap = table('cmap');
  let subtable = -1;
  for (let i = 0; i < view.getUint16(cmap + 2); i++) {
    const record = cmap + 4 + 8 * i;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const offset = cmap + view.getUint32(record + 4);
    if (platform === 3 && (encoding === 1 || encoding === 10) && view.getUint16(offset) === 4) subtable = offset;
  }
  if (subtable < 0) throw new Error('font has no Unicode BMP (format 4) cmap subtable');
  const segCount = view.getUint16(subtable + 6) / 2;
  const ends = subtable + 14;
  const starts = ends + 2 * segCount + 2;
  const deltas = starts + 2 * segCount;
  const rangeOffsets = deltas + 2 * segCount;

  const em = new Float32Array(0x10000).fill(NaN);
  for (let s = 0; s < segCount; s++) {
    const end = view.getUint16(ends + 2 * s);
    const start = view.getUint16(starts + 2 * s);
    const delta = view.getUint16(deltas + 2 * s);
    const rangeOffsetAt = rangeOffsets + 2 * s;
    const rangeOffset = view.getUint16(rangeOffsetAt);
    for (let c = start; c <= end && c < 0xffff; c++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
      else {
        glyph = view.getUint16(rangeOffsetAt + rangeOffset + 2 * (c - start));
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      if (glyph !== 0) em[c] = advance(glyph);
    }
  }
  const n = em['n'.charCodeAt(0)]!;
  return { em, fallback: Number.isNaN(n) ? 0.6 : n };
}

/** Width in pixels of `text` set in a font with these widths at `fontSize` px (no kerning). */
export function measureText(widths: AdvanceWidths, text: string, fontSize: number): number {
  let total = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const w = c < 0x10000 ? widths.em[c]! : NaN;
    total += Number.isNaN(w) ? widths.fallback : w;
  }
  return total * fontSize;
}

const widthsCache: { regular?: AdvanceWidths; bold?: AdvanceWidths } = {};

/** Advance widths of the bundled DejaVu Sans (regular or bold), read once per process. */
export function dejaVuWidths(bold = false): AdvanceWidths {
  const key = bold ? 'bold' : 'regular';
  return (widthsCache[key] ??= readAdvanceWidths(readFileSync(FONT_FILES[bold ? 1 : 0]!)));
}

let installed = false;

/** The parts of a Vega text item the measurement needs. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
}

/**
 * Makes Vega measure text with DejaVu Sans's real widths. Vega documents replacing
 * `textMetrics.width` for canvas-less rendering (vl-convert does the same); it is process-wide,
 * which is what we want: every chart in the process is laid out for the font it is drawn with.
 */
export function useDejaVuTextMetrics(): void {
  if (installed) return;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  metrics.width = (item, text) => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    const value = text == null ? '' : String(text).trim();
    if (size <= 0 || value === '') return 0;
    const weight = item.fontWeight;
    const isBold = weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
    return measureText(dejaVuWidths(isBold), value, size);
  };
  installed = true;
}
