/**
 * The standard CIFAR augmentation of He et al. 2015 (after Lee et al. 2015): pad every image
 * with 4 zero pixels on each side, crop a random window of the original size, flip it
 * horizontally with probability 1/2. Done on the uint8 NHWC batch, before scaling to [0, 1].
 */
import { createRng, randomInt, type Rng } from '../random.js';

/** Where a batch sits in the run; augmentation is a pure function of it and the seed. */
export interface BatchContext {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
}

/** Transforms a batch of `count` uint8 images (NHWC) of the set's image shape; returns a new array. */
export type ImageAugmenter = (images: Uint8Array, count: number, context: BatchContext) => Uint8Array;

export interface AugmentOptions {
  /** Zero pixels added on each side before the random crop; default 4 (0: no crop). */
  pad?: number;
  /** Random horizontal flip; default true. */
  flip?: boolean;
}

/**
 * Pads, crops and flips each of the `count` images of `batch` ([count, h, w, c], uint8) with
 * draws from `rng`: crop offsets dy, dx in [0, 2 pad], then the flip, per image in order.
 */
export function padCropFlip(batch: Uint8Array, count: number, [h, w, c]: readonly number[], rng: Rng, options: AugmentOptions = {}): Uint8Array {
  const pad = options.pad ?? 4;
  const flip = options.flip ?? true;
  const size = h * w * c;
  const out = new Uint8Array(count * size);
  for (let n = 0; n < count; n++) {
    // Offsets of the window in the padded image, turned into shifts of the original.
    const dy = randomInt(rng, 2 * pad + 1) - pad;
    const dx = randomInt(rng, 2 * pad + 1) - pad;
    const mirrored = flip && rng() < 0.5;
    const base = n * size;
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= h) continue; // a padded row: stays zero
      for (let x = 0; x < w; x++) {
        const sx = (mirrored ? w - 1 - x : x) + dx;
        if (sx < 0 || sx >= w) continue;
        const from = base + (sy * w + sx) * c;
        const to = base + (y * w + x) * c;
        for (let k = 0; k < c; k++) out[to + k] = batch[from + k];
      }
    }
  }
  return out;
}

/**
 * The augmenter of a run: each batch's draws come from an RNG seeded by (seed, epoch, step)
 * alone, so a run resumed from a checkpoint augments its batches exactly as the uninterrupted
 * run did, without any RNG state in the checkpoint.
 */
export function cifarAugmenter(seed: number, imageShape: readonly number[], options: AugmentOptions = {}): ImageAugmenter {
  if (imageShape.length !== 3) throw new Error(`augmentation needs images [height, width, channels], got [${imageShape.join(', ')}]`);
  return (images, count, { epoch, step }) => padCropFlip(images, count, imageShape, createRng(`${seed}:augment:${epoch}:${step}`), options);
}
