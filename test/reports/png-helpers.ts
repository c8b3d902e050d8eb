/** Pixel-level helpers for the render tests. */
import { PNG } from 'pngjs';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface Decoded {
  width: number;
  height: number;
  data: Buffer;
}

export function decode(png: Buffer): Decoded {
  const { width, height, data } = PNG.sync.read(png);
  return { width, height, data };
}

/** Pixels in rows [top, bottom) that differ between two images of the same size. */
export function differingPixels(a: Decoded, b: Decoded, top = 0, bottom = a.height): number {
  let n = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 4;
      if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2] || a.data[i + 3] !== b.data[i + 3]) n++;
    }
  }
  return n;
}

/** Pixels clearly darker than the white background (text, axes, lines). */
export function darkPixels(img: Decoded): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) if (img.data[i + 3]! > 128 && img.data[i]! + img.data[i + 1]! + img.data[i + 2]! < 300) n++;
  return n;
}
