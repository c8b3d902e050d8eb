import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '../../src/index.js';
import type { ImageDataset } from '../../src/datasets/types.js';
import { cifarAugmenter, padCropFlip } from '../../src/training/augment.js';
import { exampleSets } from '../../src/training/data.js';
import { useBackend } from '../helpers/backends.js';

/** `count` images [h, w, c] whose bytes are distinct where possible (1..255, never 0). */
function images(count: number, h: number, w: number, c: number): Uint8Array {
  return Uint8Array.from({ length: count * h * w * c }, (_, i) => 1 + ((i * 7) % 255));
}

/** The textbook version: build the zero-padded image, cut the window, mirror it. */
function reference(img: Uint8Array, [h, w, c]: number[], pad: number, oy: number, ox: number, mirror: boolean): Uint8Array {
  const ph = h + 2 * pad;
  const pw = w + 2 * pad;
  const padded = new Uint8Array(ph * pw * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) padded[((y + pad) * pw + x + pad) * c + k] = img[(y * w + x) * c + k];
  const out = new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const cx = mirror ? w - 1 - x : x;
        out[(y * w + x) * c + k] = padded[((y + oy) * pw + cx + ox) * c + k];
      }
  return out;
}

/** An RNG that returns the given values in turn. */
const scripted = (values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length];
};

test('pad-4 random crop and flip equal padding, cropping and mirroring done the long way', () => {
  const shape = [6, 5, 3];
  const img = images(1, 6, 5, 3);
  // randomInt(rng, 9) = floor(r * 9): r = k / 9 + tiny gives offset k of the padded image.
  for (const [oy, ox, mirror] of [[0, 0, false], [8, 8, true], [4, 4, false], [4, 4, true], [1, 7, true], [6, 2, false]] as const) {
    const rng = scripted([oy / 9 + 1e-9, ox / 9 + 1e-9, mirror ? 0.25 : 0.75]);
    const got = padCropFlip(img, 1, shape, rng);
    assert.deepEqual(got, reference(img, shape, 4, oy, ox, mirror), `offset (${oy}, ${ox}), mirror ${mirror}`);
  }
  assert.deepEqual(padCropFlip(img, 1, shape, Math.random, { pad: 0, flip: false }), img, 'no padding, no flip: identity');
});

test('augmentation is a pure function of (seed, epoch, step), uses every offset and flips about half', () => {
  const shape = [8, 8, 3];
  const batch = images(64, 8, 8, 3);
  const aug = cifarAugmenter(7, shape);
  assert.deepEqual(aug(batch, 64, { epoch: 2, step: 5 }), aug(batch, 64, { epoch: 2, step: 5 }));
  assert.notDeepEqual(aug(batch, 64, { epoch: 2, step: 5 }), aug(batch, 64, { epoch: 2, step: 6 }));
  assert.notDeepEqual(aug(batch, 64, { epoch: 2, step: 5 }), aug(batch, 64, { epoch: 3, step: 5 }));
  assert.notDeepEqual(aug(batch, 64, { epoch: 2, step: 5 }), cifarAugmenter(8, shape)(batch, 64, { epoch: 2, step: 5 }));
  // One batch of 2,000 copies of an 11x11 image marked at the centre (255) and right of it
  // (128): where the marks land gives each image's offsets and flip.
  const [n, side] = [2000, 11];
  const marked = new Uint8Array(n * side * side);
  for (let i = 0; i < n; i++) {
    marked[i * side * side + 5 * side + 5] = 255;
    marked[i * side * side + 5 * side + 6] = 128;
  }
  const out = cifarAugmenter(11, [side, side, 1])(marked, n, { epoch: 0, step: 0 });
  const seen = new Set<string>();
  let flips = 0;
  for (let i = 0; i < n; i++) {
    const img = out.subarray(i * side * side, (i + 1) * side * side);
    const a = img.indexOf(255);
    const b = img.indexOf(128);
    assert.ok(a >= 0 && b >= 0, `image ${i}: a mark left the image`);
    const [y, x, xb] = [Math.floor(a / side), a % side, b % side];
    const flipped = xb < x;
    if (flipped) flips++;
    seen.add(`${5 - y},${flipped ? x - 5 : 5 - x},${flipped}`);
  }
  assert.equal(seen.size, 9 * 9 * 2, 'every offset in [-4, 4]^2, with and without flip');
  assert.ok(Math.abs(flips / n - 0.5) < 0.05, `flip rate ${flips / n}`);
});

test('only training batches drawn by fit are augmented, before scaling to [0, 1]', async () => {
  await useBackend('cpu');
  const imgs = images(10, 8, 8, 3);
  const split = { images: imgs, labels: new Uint8Array(10), count: 10 };
  const dataset: ImageDataset = {
    name: 'cifar10',
    kind: 'image',
    imageShape: [8, 8, 3],
    classNames: ['a', 'b'],
    split: { method: 'official' },
    source: { path: 'memory', verification: 'structure', notes: [] },
    train: split,
    test: split,
  };
  const augment = cifarAugmenter(3, [8, 8, 3]);
  const sets = exampleSets(dataset, {}, { augment });
  const plain = Array.from(imgs.subarray(0, 4 * 192), (v) => v / 255);
  const close = (t: tf.Tensor, expected: ArrayLike<number>) => Array.from(t.dataSync()).every((v, i) => Math.abs(v - expected[i]) < 1e-7);
  assert.ok(close(sets.test.inputs(null, 0, 4, { epoch: 0, step: 0 }), plain), 'test batches are never augmented');
  assert.ok(close(sets.train.inputs(null, 0, 4), plain), 'training rows read outside fit are not augmented');
  const expected = Array.from(augment(imgs.slice(0, 4 * 192), 4, { epoch: 1, step: 2 }), (v) => v / 255);
  const got = sets.train.inputs(null, 0, 4, { epoch: 1, step: 2 });
  assert.ok(close(got, expected), 'a training batch is the augmented uint8 batch, scaled');
  assert.ok(!close(got, plain));
  assert.throws(() => exampleSets({ ...dataset, kind: 'tabular' } as never, {}, { augment }), /augmentation applies to images/);
});
