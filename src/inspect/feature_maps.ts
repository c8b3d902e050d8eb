/**
 * Activation maps: what every convolutional activation outputs for a few test images, each
 * channel a small picture, on colour scales shared by every activation of a run.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CHART_FONT } from '../reports/charts/common.js';
import { escapeHtml } from '../reports/escape.js';
import { imageGrid, pngDataUrl, upscale, type RawImage } from '../reports/images.js';
import { activationSites, disposeRecorded, recordActivations } from '../diagnostics/probe.js';

/** The outputs of one activation site for a batch of images, channels last. */
export interface FeatureMapLayer {
  layer: string;
  /** [images, height, width, channels]. */
  shape: [number, number, number, number];
  values: Float32Array;
}

/**
 * The post-activation outputs of every activation site with image-shaped output (the
 * convolutional ones) for `images` ([n, h, w, c]), in inference mode.
 */
export async function featureMaps(model: tfl.LayersModel, images: tf.Tensor): Promise<FeatureMapLayer[]> {
  const sites = activationSites(model);
  const { result, recorded } = recordActivations(sites, () => tf.tidy(() => model.apply(images, { training: false }) as tf.Tensor));
  try {
    const out: FeatureMapLayer[] = [];
    for (const r of recorded) {
      if (r.output.rank !== 4) continue;
      out.push({ layer: r.site.layer.name, shape: r.output.shape as FeatureMapLayer['shape'], values: (await r.output.data()) as Float32Array });
    }
    return out;
  } finally {
    disposeRecorded(recorded);
    result.dispose();
  }
}

/** The value that maps to full colour in one layer, and whether the scale is two-sided. */
export interface FeatureMapScale {
  max: number;
  signed: boolean;
}

/** The `q` quantile of |values| (by sorting a strided sample, enough for a colour scale). */
function absQuantile(arrays: readonly Float32Array[], q: number): number {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const stride = Math.max(1, Math.floor(total / 200_000));
  const sample: number[] = [];
  for (const a of arrays) for (let i = 0; i < a.length; i += stride) if (Number.isFinite(a[i]!)) sample.push(Math.abs(a[i]!));
  if (sample.length === 0) return 1;
  sample.sort((x, y) => x - y);
  return sample[Math.min(sample.length - 1, Math.floor(q * sample.length))]!;
}

/**
 * Shared scales: layer k of every activation gets the same one, full colour at the 99.5th
 * percentile of |value| over all of them (a few extreme values would otherwise wash out the
 * rest), two-sided when any of them has negative outputs.
 */
export function sharedFeatureMapScales(perActivation: readonly (readonly FeatureMapLayer[])[]): FeatureMapScale[] {
  const layers = Math.max(0, ...perActivation.map((a) => a.length));
  return Array.from({ length: layers }, (_, k) => {
    const arrays = perActivation.flatMap((a) => (a[k] ? [a[k]!.values] : []));
    const max = absQuantile(arrays, 0.995);
    let min = 0;
    for (const a of arrays) for (const v of a) if (v < min) min = v;
    return { max: max > 0 ? max : 1, signed: min < -1e-6 * max };
  });
}

type Rgb = readonly [number, number, number];

/** Anchors of matplotlib's 'magma' (dark = 0) and of a blue-white-red diverging map. */
const MAGMA: readonly Rgb[] = [
  [0, 0, 4],
  [40, 17, 89],
  [101, 26, 128],
  [159, 47, 127],
  [216, 69, 108],
  [246, 120, 91],
  [254, 186, 128],
  [252, 253, 191],
];
const DIVERGING: readonly Rgb[] = [
  [5, 48, 97],
  [67, 147, 195],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [214, 96, 77],
  [103, 0, 31],
];

function interpolate(map: readonly Rgb[], t: number): Rgb {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (map.length - 1);
  const i = Math.min(map.length - 2, Math.floor(u));
  const f = u - i;
  const [a, b] = [map[i]!, map[i + 1]!];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/** The colour of `value` on `scale`: magma from 0 to max, or blue-white-red from -max to max. */
export function colorOf(value: number, scale: FeatureMapScale): Rgb {
  return scale.signed ? interpolate(DIVERGING, (value / scale.max + 1) / 2) : interpolate(MAGMA, value / scale.max);
}

/** Channel `channel` of image `image` of a layer as an RGB picture. */
export function channelImage(layer: FeatureMapLayer, image: number, channel: number, scale: FeatureMapScale): RawImage {
  const [, h, w, c] = layer.shape;
  const pixels = new Uint8Array(h * w * 3);
  const base = image * h * w * c;
  for (let p = 0; p < h * w; p++) {
    const [r, g, b] = colorOf(layer.values[base + p * c + channel]!, scale);
    pixels.set([Math.round(r), Math.round(g), Math.round(b)], p * 3);
  }
  return { pixels, width: w, height: h, channels: 3 };
}

function colorBar(scale: FeatureMapScale): RawImage {
  const width = 120;
  const height = 8;
  const pixels = new Uint8Array(width * height * 3);
  for (let x = 0; x < width; x++) {
    const v = scale.signed ? -scale.max + (2 * scale.max * x) / (width - 1) : (scale.max * x) / (width - 1);
    const rgb = colorOf(v, scale).map(Math.round);
    for (let y = 0; y < height; y++) pixels.set(rgb, (y * width + x) * 3);
  }
  return { pixels, width, height, channels: 3 };
}

export interface FeatureSheetOptions {
  title?: string;
  /** Channels shown per layer (the first ones); default 64. */
  maxChannels?: number;
  /** Channel tiles per row; default 8. */
  columns?: number;
}

const FONT = 11;

/**
 * One SVG sheet: a row per image, the input picture first, then for each layer a grid of its
 * channels, under a header naming the layer and showing its colour scale.
 */
export function featureMapSheetSvg(inputs: readonly RawImage[], layers: readonly FeatureMapLayer[], scales: readonly FeatureMapScale[], options: FeatureSheetOptions = {}): string {
  const maxChannels = options.maxChannels ?? 64;
  const columns = options.columns ?? 8;
  const pad = 12;
  const inputScale = Math.max(1, Math.round(96 / Math.max(1, inputs[0]?.height ?? 96)));
  const grids = inputs.map((_, i) =>
    layers.map((layer, k) => {
      const [, h] = layer.shape;
      const channels = Math.min(layer.shape[3], maxChannels);
      const tiles = Array.from({ length: channels }, (_, c) => channelImage(layer, i, c, scales[k]!));
      return imageGrid(tiles, { columns: Math.min(columns, channels), scale: Math.max(1, Math.round(24 / h)), gap: 1 });
    }),
  );
  const inputTiles = inputs.map((img) => upscale(img, inputScale));
  const colW = [Math.max(...inputTiles.map((t) => t.width), 60), ...layers.map((_, k) => Math.max(150, ...grids.map((g) => g[k]!.width)))];
  const rowH = inputs.map((_, i) => Math.max(inputTiles[i]!.height, ...grids[i]!.map((g) => g.height)));
  const titleH = options.title ? 26 : 0;
  const headerH = 44;
  const width = pad + colW.reduce((a, b) => a + b + pad, 0);
  const height = titleH + headerH + pad + rowH.reduce((a, b) => a + b + pad, 0);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}" font-size="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (options.title) parts.push(`<text x="${width / 2}" y="19" text-anchor="middle" font-size="15">${escapeHtml(options.title)}</text>`);
  const colX = colW.map((_, j) => pad + colW.slice(0, j).reduce((a, b) => a + b + pad, 0));
  const image = (img: RawImage, x: number, y: number) =>
    `<image x="${x}" y="${y}" width="${img.width}" height="${img.height}" image-rendering="optimizeSpeed" href="${pngDataUrl(img.pixels, img.width, img.height, img.channels)}"/>`;
  parts.push(`<text x="${colX[0]}" y="${titleH + 14}">input</text>`);
  layers.forEach((layer, k) => {
    const x = colX[k + 1]!;
    const shown = Math.min(layer.shape[3], maxChannels);
    const [, h, w, c] = layer.shape;
    const s = scales[k]!;
    parts.push(`<text x="${x}" y="${titleH + 14}">${escapeHtml(layer.layer)}: ${shown < c ? `${shown} of ` : ''}${c} channels, ${h}x${w}</text>`);
    parts.push(image(colorBar(s), x, titleH + 20));
    parts.push(`<text x="${x}" y="${titleH + 40}" font-size="9">${s.signed ? (-s.max).toPrecision(2) : '0'}</text>`);
    parts.push(`<text x="${x + 120}" y="${titleH + 40}" font-size="9" text-anchor="end">${s.max.toPrecision(2)}</text>`);
  });
  let y = titleH + headerH + pad;
  inputs.forEach((_, i) => {
    parts.push(image(inputTiles[i]!, colX[0]!, y));
    grids[i]!.forEach((g, k) => parts.push(image(g, colX[k + 1]!, y)));
    y += rowH[i]! + pad;
  });
  parts.push('</svg>');
  return parts.join('\n');
}
