/**
 * The report sections of the look inside a run: gradient flow (from summary.json, written by
 * every compare run that recorded it) and, once `lisht inspect` has run, weight
 * distributions, activation maps and loss landscapes (from `inspect/`). No TensorFlow.js
 * here, so any report writer can call it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareSummary } from '../experiments/compare_types.js';
import type { Block, Section } from '../reports/html.js';
import { dataUrl } from '../reports/images.js';
import type { ChartSpec } from '../reports/charts/index.js';
import { renderSvg } from '../reports/render.js';
import { fixed, percent, type Row } from '../reports/table.js';
import type { GradientFlowRecord, InspectData } from './types.js';

/** Folder of a run that `inspect` writes into, and its JSON. */
export const INSPECT_DIR = 'inspect';
export const INSPECT_JSON = 'inspect.json';

/** PNG width from its IHDR chunk, to show a 2x-rendered chart at its natural size. */
function pngWidth(png: Uint8Array): number | undefined {
  return png.length > 24 ? new DataView(png.buffer, png.byteOffset).getUint32(16) : undefined;
}

async function imageBlock(dir: string, file: string | null | undefined, alt: string, caption?: string, scale = 2): Promise<Block[]> {
  if (!file) return [];
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, file));
  } catch {
    return [];
  }
  const width = pngWidth(bytes);
  return [{ kind: 'image', src: dataUrl(bytes), alt, caption: caption ?? file, ...(width ? { width: width / scale } : {}) }];
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : v);

/** Reads `inspect/inspect.json` of a run folder; undefined when `inspect` has not run. */
export async function readInspectData(dir: string): Promise<InspectData | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, INSPECT_DIR, INSPECT_JSON), 'utf8')) as InspectData;
  } catch {
    return undefined;
  }
}

/** The sections written from `inspect/`: weights, activation maps, loss landscape. */
export async function inspectDataSections(dir: string, data: InspectData): Promise<Section[]> {
  const at = join(dir, INSPECT_DIR);
  const per = async (prefix: string, what: string, caption?: string) =>
    (await Promise.all(data.activations.map((a) => imageBlock(at, a.files.find((f) => f.startsWith(prefix)), `${what} (${a.activation})`, caption)))).flat();
  const landscapeRows: Row[] = data.activations.map((a) => {
    const l1 = a.landscape_1d.loss;
    const flat = a.landscape_2d.loss.flat();
    const finite = flat.filter((v): v is number => v !== null);
    const centre = a.landscape_2d.loss[(a.landscape_2d.y.length - 1) / 2]?.[(a.landscape_2d.x.length - 1) / 2] ?? null;
    return [a.activation, l1[0] ?? null, l1[l1.length - 1] ?? null, Math.max(...l1.filter((v): v is number => v !== null)), centre, finite.length > 0 ? Math.min(...finite) : null, finite.length > 0 ? Math.max(...finite) : null, (flat.length - finite.length) / flat.length, a.landscape_2d.seconds, a.landscape_2d.cpu_seconds ?? null];
  });
  return [
    {
      heading: 'Weight distributions',
      blocks: [
        { kind: 'paragraph', text: 'Kernel weights of every layer at initialisation (grey) and after training; each layer uses the same bins and height for every activation.' },
        ...(await per('weights-', 'weight histograms')),
      ],
    },
    {
      heading: 'Activation maps',
      blocks: [
        {
          kind: 'paragraph',
          text: `Outputs of every convolutional activation for the first ${data.images} test images, one tile per channel. Each layer has one colour scale for every activation (shown above it; full colour at the 99.5th percentile of |output|); an all-black tile is a channel that outputs 0.`,
        },
        ...(await per('feature-maps-', 'activation maps')),
      ],
    },
    {
      heading: 'Loss landscape',
      blocks: [
        {
          kind: 'paragraph',
          text:
            `Training loss (cross-entropy, inference mode) on the first ${data.subset} training examples. Line: from the initial (alpha 0) to the trained weights (alpha 1). ` +
            `Surface: trained weights plus x and y times two random Gaussian directions, filter-normalised (Li et al. 2018; biases and other 1-D weights not moved), ` +
            `${data.grid}x${data.grid} points over [-${data.range}, ${data.range}], seed ${data.seed}. Colours and contour levels are the same for every activation.`,
        },
        ...(await imageBlock(at, data.files.landscape_1d, 'loss from initial to trained weights')),
        ...(await per('landscape-2d-', 'loss surface')),
        {
          kind: 'table',
          caption: 'Loss landscape in numbers (loss on the training subset)',
          columns: [
            { header: 'activation', align: 'left' },
            { header: 'initial', format: fixed(4) },
            { header: 'trained', format: fixed(4) },
            { header: 'max on line', format: fixed(4) },
            { header: 'surface centre', format: fixed(4) },
            { header: 'surface min', format: fixed(4) },
            { header: 'surface max', format: fixed(4) },
            { header: 'missing points', format: percent(1) },
            { header: 'surface seconds', format: fixed(1) },
            { header: 'CPU seconds', format: fixed(1) },
          ],
          rows: landscapeRows,
        },
      ],
    },
  ];
}

/**
 * The sections of `lisht inspect`'s pictures a run folder has material for, in report order;
 * empty when `inspect` has not run on it. The compare report shows them after its own.
 */
export async function inspectSections(dir: string): Promise<Section[]> {
  const sections: Section[] = [];
  const data = await readInspectData(dir);
  if (data) sections.push(...(await inspectDataSections(dir, data)));
  return sections;
}
