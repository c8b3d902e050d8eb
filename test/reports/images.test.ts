import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { dataUrl, encodePng, imageGrid, pngDataUrl, toRgba, upscale, type Channels } from '../../src/reports/index.js';

function randomPixels(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

test('encodePng round-trips through pngjs for 1, 3 and 4 channels, keeping the colour type', () => {
  const colorTypeByte = 25; // in IHDR: 8 signature + 8 chunk header + 9 bytes in
  for (const [channels, colorType] of [[1, 0], [3, 2], [4, 6]] as const) {
    const width = 7;
    const height = 5;
    const pixels = randomPixels(width * height * channels, channels);
    const png = encodePng(pixels, width, height, channels);
    assert.equal(png[colorTypeByte], colorType);
    const decoded = PNG.sync.read(png);
    assert.deepEqual([decoded.width, decoded.height], [width, height]);
    assert.deepEqual(new Uint8Array(decoded.data), toRgba({ pixels, width, height, channels }).pixels);
  }
});

test('encodePng accepts a view into a larger buffer (e.g. one image of a batch)', () => {
  const batch = randomPixels(3 * 4 * 4 * 3, 9);
  const second = batch.subarray(48, 96);
  const decoded = PNG.sync.read(encodePng(second, 4, 4, 3));
  assert.deepEqual(new Uint8Array(decoded.data), toRgba({ pixels: second, width: 4, height: 4, channels: 3 }).pixels);
});

test('encodePng rejects wrong sizes and channel counts', () => {
  assert.throws(() => encodePng(new Uint8Array(11), 2, 2, 3), /11 bytes/);
  assert.throws(() => encodePng(new Uint8Array(0), 0, 0, 3), /positive integers/);
  assert.throws(() => encodePng(new Uint8Array(8), 2, 2, 2 as Channels), /channels must be/);
});

test('pngDataUrl and dataUrl produce base64 PNG data URLs that decode back', () => {
  const url = pngDataUrl(new Uint8Array([10, 20, 30, 40]), 2, 2, 1);
  assert.match(url, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  const decoded = PNG.sync.read(Buffer.from(url.split(',')[1]!, 'base64'));
  assert.deepEqual([...decoded.data.subarray(0, 4)], [10, 10, 10, 255]);
  assert.equal(dataUrl(new Uint8Array([1, 2, 3]), 'image/webp'), 'data:image/webp;base64,AQID');
});

test('upscale repeats each pixel in a block (nearest neighbour)', () => {
  const out = upscale({ pixels: new Uint8Array([1, 2, 3, 4]), width: 2, height: 2, channels: 1 }, 2);
  assert.deepEqual([out.width, out.height], [4, 4]);
  assert.deepEqual([...out.pixels], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  assert.throws(() => upscale({ pixels: new Uint8Array(1), width: 1, height: 1, channels: 1 }, 1.5), /positive integer/);
});

test('imageGrid tiles upscaled images with gaps, in row order', () => {
  const solid = (v: number) => ({ pixels: new Uint8Array([v, v, v]), width: 1, height: 1, channels: 3 as const });
  const grid = imageGrid([solid(10), solid(20), solid(30)], { columns: 2, scale: 2, gap: 1, background: [0, 0, 0, 0] });
  // 2 columns × 2 px + 3 gaps; 2 rows × 2 px + 3 gaps.
  assert.deepEqual([grid.width, grid.height, grid.channels], [7, 7, 4]);
  const at = (x: number, y: number) => [...grid.pixels.subarray((y * 7 + x) * 4, (y * 7 + x) * 4 + 4)];
  assert.deepEqual(at(0, 0), [0, 0, 0, 0]);
  assert.deepEqual(at(1, 1), [10, 10, 10, 255]);
  assert.deepEqual(at(2, 2), [10, 10, 10, 255]);
  assert.deepEqual(at(3, 1), [0, 0, 0, 0]);
  assert.deepEqual(at(4, 1), [20, 20, 20, 255]);
  assert.deepEqual(at(1, 4), [30, 30, 30, 255]);
  assert.deepEqual(at(4, 4), [0, 0, 0, 0], 'the empty fourth cell stays background');
  assert.throws(() => imageGrid([]), /at least one/);
});
