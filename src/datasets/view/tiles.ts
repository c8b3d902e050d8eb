import type { ImageDataset, ImageSplit } from '../types.js';

/** An RGB picture, 3 bytes a pixel, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** An image of a data set with what to write under it. */
export interface Tile {
  image: RgbImage;
  caption: string;
}

/** Image `index` of a split as RGB (greyscale repeated over the three channels). */
export function imageAt(split: ImageSplit, shape: ImageDataset['imageShape'], index: number): RgbImage {
  const [height, width, channels] = shape;
  const size = height * width * channels;
  const pixels = split.images.subarray(index * size, (index + 1) * size);
  if (channels === 3) return { width, height, rgb: pixels.slice() };
  const rgb = new Uint8Array(height * width * 3);
  for (let p = 0; p < height * width; p++) rgb.fill(pixels[p * channels], p * 3, p * 3 + 3);
  return { width, height, rgb };
}

/** Label and class name of example `index`, e.g. `6 frog` (CIFAR-100 adds the superclass). */
export function labelText(dataset: ImageDataset, split: ImageSplit, index: number): string {
  const label = split.labels[index];
  const name = dataset.classNames[label];
  // MNIST's class names are the digits themselves: "7", not "7 7".
  let text = name === String(label) ? name : `${label} ${name}`;
  if (split.coarseLabels && dataset.coarseClassNames) {
    const coarse = split.coarseLabels[index];
    text += ` (${coarse} ${dataset.coarseClassNames[coarse]})`;
  }
  return text;
}

/** Nearest-neighbour enlargement by an integer factor: pixels stay crisp squares. */
export function enlarge(image: RgbImage, factor: number): RgbImage {
  if (factor === 1) return image;
  const width = image.width * factor;
  const height = image.height * factor;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < width; x++) {
      const from = (sy * image.width + Math.floor(x / factor)) * 3;
      const to = (y * width + x) * 3;
      rgb[to] = image.rgb[from];
      rgb[to + 1] = image.rgb[from + 1];
      rgb[to + 2] = image.rgb[from + 2];
    }
  }
  return { width, height, rgb };
}

/** Columns of a near-square grid of n tiles. */
export function gridColumns(n: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(n)));
}
