/**
 * Small archives in the official formats (CIFAR binary tar.gz, IDX gz, UCI CSV, Sentiment140
 * zip), written by the tests so that every byte of the expected result is known.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import yazl from 'yazl';

/** Deterministic bytes that do not compress (tar's zip-bomb guard refuses ratios over 1000). */
export function noiseBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

export interface TarEntry {
  path: string;
  data?: Uint8Array;
  type?: 'File' | 'SymbolicLink' | 'Link' | 'Directory';
  linkpath?: string;
}

/** A tar archive built header by header, so that malformed members can be written too. */
export function tarBytes(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? new Uint8Array(0));
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      size: data.length,
      mode: entry.type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      linkpath: entry.linkpath,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function tarGz(entries: TarEntry[]): Buffer {
  return gzipSync(tarBytes(entries));
}

/** Records in CIFAR's binary layout, with the images and labels they must decode to. */
export interface CifarRecords {
  bytes: Uint8Array;
  labels: Uint8Array;
  coarseLabels?: Uint8Array;
  /** The same images in HWC order. */
  hwc: Uint8Array;
}

export function cifarRecords(count: number, options: { seed: number; coarse?: boolean; classCount?: number }): CifarRecords {
  const labelBytes = options.coarse ? 2 : 1;
  const recordSize = labelBytes + 3072;
  const pixels = noiseBytes(count * 3072, options.seed);
  const bytes = new Uint8Array(count * recordSize);
  const labels = new Uint8Array(count);
  const coarseLabels = options.coarse ? new Uint8Array(count) : undefined;
  const hwc = new Uint8Array(count * 3072);
  const classCount = options.classCount ?? (options.coarse ? 100 : 10);
  for (let r = 0; r < count; r++) {
    const at = r * recordSize;
    labels[r] = (r * 7 + options.seed) % classCount;
    if (coarseLabels) {
      coarseLabels[r] = (r * 3 + options.seed) % 20;
      bytes[at] = coarseLabels[r];
      bytes[at + 1] = labels[r];
    } else {
      bytes[at] = labels[r];
    }
    const planar = pixels.subarray(r * 3072, (r + 1) * 3072);
    bytes.set(planar, at + labelBytes);
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) hwc[r * 3072 + p * 3 + c] = planar[c * 1024 + p];
    }
  }
  return { bytes, labels, coarseLabels, hwc };
}

export const CIFAR10_META = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

export interface Cifar10Fixture {
  train: CifarRecords[];
  test: CifarRecords;
  /** Entries in archive order (batches deliberately not in numeric order). */
  entries: TarEntry[];
}

/** A CIFAR-10 binary archive's members: five training batches, a test batch and the names. */
export function cifar10Fixture(options: { perBatch?: number[]; test?: number } = {}): Cifar10Fixture {
  const perBatch = options.perBatch ?? [3, 3, 3, 3, 3];
  const train = perBatch.map((n, i) => cifarRecords(n, { seed: i + 1 }));
  const test = cifarRecords(options.test ?? 4, { seed: 99 });
  const dir = 'cifar-10-batches-bin';
  const batch = (i: number): TarEntry => ({ path: `${dir}/data_batch_${i + 1}.bin`, data: train[i].bytes });
  // The official archive does not store the batches in order either.
  const entries: TarEntry[] = [
    { path: `${dir}/`, type: 'Directory' },
    batch(0),
    { path: `${dir}/batches.meta.txt`, data: Buffer.from(CIFAR10_META) },
    batch(2),
    batch(3),
    { path: `${dir}/test_batch.bin`, data: test.bytes },
    { path: `${dir}/readme.html`, data: Buffer.from('<html></html>') },
    batch(1),
    batch(4),
  ];
  return { train, test, entries };
}

/** Concatenation of equal-typed arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An IDX file of unsigned bytes. */
export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

/** Writes a folder of MNIST-format IDX files (gzipped) and returns what they hold. */
export function writeMnistFolder(
  dir: string,
  options: { train?: number; test?: number; gzip?: boolean; onlyTest?: boolean } = {},
): { trainImages: Uint8Array; trainLabels: Uint8Array; testImages: Uint8Array; testLabels: Uint8Array } {
  mkdirSync(dir, { recursive: true });
  const make = (count: number, seed: number) => ({
    images: noiseBytes(count * 784, seed),
    labels: Uint8Array.from({ length: count }, (_, i) => (i * 3 + seed) % 10),
  });
  const train = make(options.train ?? 30, 5);
  const test = make(options.test ?? 20, 6);
  const write = (name: string, bytes: Buffer) =>
    options.gzip === false ? writeFileSync(join(dir, name), bytes) : writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes));
  if (!options.onlyTest) {
    write('train-images-idx3-ubyte', idxBytes([train.labels.length, 28, 28], train.images));
    write('train-labels-idx1-ubyte', idxBytes([train.labels.length], train.labels));
  }
  write('t10k-images-idx3-ubyte', idxBytes([test.labels.length, 28, 28], test.images));
  write('t10k-labels-idx1-ubyte', idxBytes([test.labels.length], test.labels));
  return { trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels };
}

/** Lines of UCI's iris.data: `per` rows of each species. */
export function irisData(per: number): string {
  const rows: string[] = [];
  ['Iris-setosa', 'Iris-versicolor', 'Iris-virginica'].forEach((species, s) => {
    for (let i = 0; i < per; i++) rows.push(`${4 + s}.${i % 10},3.${i % 10},1.${s},0.${i % 5},${species}`);
  });
  return rows.join('\n') + '\n\n';
}

/** A Sentiment140 CSV row, quoted as the publisher's files are. */
export function tweetRow(polarity: 0 | 2 | 4, id: number, text: string): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return [q(String(polarity)), q(String(id)), q('Mon Apr 06 22:19:45 PDT 2009'), q('NO_QUERY'), q(`user${id}`), q(text)].join(',');
}

/** Writes a zip holding the given files (name -> bytes), as yazl does it. */
export async function writeZip(path: string, files: Record<string, Uint8Array | string>, options: { compress?: boolean } = {}): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of Object.entries(files)) zip.addBuffer(Buffer.from(data), name, { compress: options.compress ?? true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  writeFileSync(path, Buffer.concat(chunks));
}
