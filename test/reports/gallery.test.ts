import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageGallerySvg, svgToPng, type GalleryItem } from '../../src/reports/index.js';
import { dejaVuWidths, measureText } from '../../src/reports/fonts.js';
import { decode } from './png-helpers.js';

const image = (v: number) => ({ pixels: new Uint8Array(4 * 4 * 3).fill(v), width: 4, height: 4, channels: 3 as const });

test('imageGallerySvg: images as data URLs, escaped captions, highlighted mistakes', () => {
  const items: GalleryItem[] = [
    { image: image(0), label: 'pred: cat', sublabel: 'true: cat' },
    { image: image(128), label: 'pred: <dog>', sublabel: 'true: cat', highlight: true },
  ];
  const svg = imageGallerySvg(items, { title: 'Samples & mistakes', scale: 5 });
  assert.equal(svg.match(/<image [^>]*href="data:image\/png;base64,/g)?.length, 2);
  assert.match(svg, /width="20" height="20"/, 'pixels are upscaled 5×');
  assert.match(svg, />pred: &lt;dog&gt;</);
  assert.match(svg, />Samples &amp; mistakes</);
  assert.equal(svg.match(/stroke="#d62728"/g)?.length, 1);
  assert.doesNotMatch(svg, /<dog>/);
});

test('the gallery renders to PNG with its captions drawn', async () => {
  const svg = (label: string) => imageGallerySvg([{ image: image(255), label }], { scale: 4 });
  const withText = decode(await svgToPng(svg('pred: airplane'), { scale: 1 }));
  const blank = decode(await svgToPng(svg('\u200b'), { scale: 1 }));
  const dark = (img: ReturnType<typeof decode>) => {
    let n = 0;
    for (let i = 0; i < img.data.length; i += 4) if (img.data[i]! < 128) n++;
    return n;
  };
  assert.equal(dark(blank), 0);
  assert.ok(dark(withText) > 50);
});

test('DejaVu advance widths come from the font file', () => {
  const widths = dejaVuWidths();
  assert.ok(measureText(widths, 'W', 10) > measureText(widths, 'i', 10));
  // In DejaVu Sans (2048 units per em) "n" advances 1298 units, a space 651, digits 1303.
  assert.equal(measureText(widths, 'n', 2048), 1298);
  assert.equal(measureText(widths, ' 0', 2048), 651 + 1303);
  assert.ok(measureText(dejaVuWidths(true), 'automobile', 11) > measureText(widths, 'automobile', 11));
});
