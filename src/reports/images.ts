/**
 * Raw pixels → PNG bytes and data URLs, plus nearest-neighbour upscaling and grids, for showing
 * data set samples (32×32 CIFAR-10 images are too small to see at 1:1).
 */
import { PNG, type ColorType } from 'pngjs';

/** Grey, RGB or RGBA, 8 bits per channel. */
export type Channels = 1 | 3 | 4;

/** Pixels in row-major order, `channels` bytes per pixel, no padding between rows. */
export interface RawImage {
  pixels: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: Channels;
}

/** PNG colour types for 1, 3 and 4 channels: greyscale, truecolour, truecolour with alpha. */
const COLOR_TYPE: Readonly<Record<Channels, ColorType>> = { 1: 0, 3: 2, 4: 6 };

function checkImage({ pixels, width, height, channels }: RawImage): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new RangeError(`channels must be 1, 3 or 4, got ${channels}`);
  if (pixels.length !== width * height * channels) {
    throw new RangeError(`${pixels.length} bytes for a ${width}x${height} image with ${channels} channels (expected ${width * height * channels})`);
  }
}

/** Encodes pixels as PNG, keeping the channel count (a greyscale image stays a greyscale PNG). */
export function encodePng(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: Channels): Buffer {
  checkImage({ pixels, width, height, channels });
  const colorType = COLOR_TYPE[channels];
  const png = new PNG({ width, height });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  // Same input and output colour type: pngjs packs the bytes as they are, no conversion.
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: channels === 4 });
}

/** `data:` URL of arbitrary bytes, e.g. a PNG from `renderPng`, for `<img src>` in a report. */
export function dataUrl(bytes: Uint8Array, mime = 'image/png'): string {
  return `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/** Encodes pixels as PNG and returns it as a `data:image/png;base64,...` URL. */
export function pngDataUrl(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: Channels): string {
  return dataUrl(encodePng(pixels, width, height, channels));
}

/** The image as RGBA (grey is copied to R, G and B; missing alpha is opaque). */
export function toRgba(image: RawImage): RawImage & { channels: 4; pixels: Uint8Array } {
  checkImage(image);
  const { pixels, width, height, channels } = image;
  const out = new Uint8Array(width * height * 4);
  for (let p = 0, i = 0; p < width * height; p++, i += channels) {
    const o = p * 4;
    if (channels === 1) out[o] = out[o + 1] = out[o + 2] = pixels[i]!;
    else {
      out[o] = pixels[i]!;
      out[o + 1] = pixels[i + 1]!;
      out[o + 2] = pixels[i + 2]!;
    }
    out[o + 3] = channels === 4 ? pixels[i + 3]! : 255;
  }
  return { pixels: out, width, height, channels: 4 };
}

/** Each pixel becomes a `factor`×`factor` block: sharp pixels, no blur, no invented detail. */
export function upscale(image: RawImage, factor: number): RawImage {
  checkImage(image);
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`upscale factor must be a positive integer, got ${factor}`);
  const { pixels, width, height, channels } = image;
  const w = width * factor;
  const out = new Uint8Array(w * height * factor * channels);
  for (let y = 0; y < height * factor; y++) {
    const src = Math.floor(y / factor) * width * channels;
    const dst = y * w * channels;
    for (let x = 0; x < w; x++) {
      const s = src + Math.floor(x / factor) * channels;
      for (let c = 0; c < channels; c++) out[dst + x * channels + c] = pixels[s + c]!;
    }
  }
  return { pixels: out, width: w, height: height * factor, channels };
}

export interface GridOptions {
  /** Images per row; default: as close to square as possible. */
  columns?: number;
  /** Integer nearest-neighbour upscaling of every image; default 1. */
  scale?: number;
  /** Pixels between images and around the edge, after scaling; default 2. */
  gap?: number;
  /** RGBA of the gaps; default opaque white. */
  background?: readonly [number, number, number, number];
}

/**
 * Tiles images into one RGBA image, row by row. Every cell is as large as the largest image;
 * smaller ones sit in the top-left corner of theirs.
 */
export function imageGrid(images: readonly RawImage[], options: GridOptions = {}): RawImage {
  if (images.length === 0) throw new RangeError('imageGrid needs at least one image');
  const scale = options.scale ?? 1;
  const gap = options.gap ?? 2;
  if (!Number.isInteger(gap) || gap < 0) throw new RangeError(`gap must be a non-negative integer, got ${gap}`);
  const columns = Math.min(images.length, options.columns ?? Math.ceil(Math.sqrt(images.length)));
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`columns must be a positive integer, got ${columns}`);
  const rows = Math.ceil(images.length / columns);
  const tiles = images.map((img) => toRgba(upscale(img, scale)));
  const cellW = Math.max(...tiles.map((t) => t.width));
  const cellH = Math.max(...tiles.map((t) => t.height));
  const width = columns * cellW + (columns + 1) * gap;
  const height = rows * cellH + (rows + 1) * gap;
  const out = new Uint8Array(width * height * 4);
  const [r, g, b, a] = options.background ?? [255, 255, 255, 255];
  for (let p = 0; p < width * height; p++) out.set([r, g, b, a], p * 4);
  tiles.forEach((tile, i) => {
    const left = gap + (i % columns) * (cellW + gap);
    const top = gap + Math.floor(i / columns) * (cellH + gap);
    for (let y = 0; y < tile.height; y++) {
      const row = tile.pixels.subarray(y * tile.width * 4, (y + 1) * tile.width * 4);
      out.set(row, ((top + y) * width + left) * 4);
    }
  });
  return { pixels: out, width, height, channels: 4 };
}
