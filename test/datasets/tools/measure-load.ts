/**
 * Measures how long loading CIFAR-10 takes and how much memory it adds; the figures in
 * README-datasets.md come from here. Not a test: timings depend on the machine.
 *
 *   node dist/test/datasets/tools/measure-load.js synthesize /tmp/cifar-10-binary.tar.gz [SUBSET]
 *       writes a full-size (50,000 + 10,000) archive in the official layout; with SUBSET (the
 *       real 10,000 + 2,000 subset) its real images are repeated five times, so the gzip data
 *       compress like the real archive; without it, noise is used.
 *   node dist/test/datasets/tools/measure-load.js measure ARCHIVE... [--runs N]
 *       loads each archive N times (default 3), each in a fresh process, and prints the median
 *       wall time and peak extra memory (peak RSS minus the RSS just before loading).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { Header } from 'tar';
import { loadDataset } from '../../../src/datasets/index.js';
import { noiseBytes } from '../../helpers/archives.js';

const RECORD = 3073;
const DIR = 'cifar-10-batches-bin';

function header(path: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  new Header({ path, size, type: 'File', mode: 0o644, mtime: new Date(0) }).encode(block, 0);
  return block;
}

/** Records of the subset's train (10,000) and test (2,000) members, in archive order. */
async function subsetRecords(subset: string): Promise<{ train: Uint8Array; test: Uint8Array }> {
  const ds = await loadDataset('cifar10', { data: subset });
  const toRecords = (images: Uint8Array, labels: Uint8Array | Int32Array, count: number): Uint8Array => {
    const out = new Uint8Array(count * RECORD);
    for (let r = 0; r < count; r++) {
      out[r * RECORD] = labels[r];
      for (let p = 0; p < 1024; p++) {
        for (let c = 0; c < 3; c++) out[r * RECORD + 1 + c * 1024 + p] = images[r * 3072 + p * 3 + c];
      }
    }
    return out;
  };
  return {
    train: toRecords(ds.train.images, ds.train.labels, ds.train.count),
    test: toRecords(ds.test.images, ds.test.labels, ds.test.count),
  };
}

async function synthesize(out: string, subset: string | undefined): Promise<void> {
  let source: { train: Uint8Array; test: Uint8Array };
  if (subset) source = await subsetRecords(subset);
  else {
    const noise = noiseBytes(10_000 * RECORD, 1);
    for (let r = 0; r < 10_000; r++) noise[r * RECORD] %= 10;
    source = { train: noise, test: noise.subarray(0, 2000 * RECORD) };
  }
  // Each official member holds 10,000 records: repeat the source to fill it.
  const member = (records: Uint8Array): Buffer => {
    const data = Buffer.alloc(10_000 * RECORD);
    for (let at = 0; at < data.length; at += records.length) data.set(records.subarray(0, Math.min(records.length, data.length - at)), at);
    return data;
  };
  const gzip = createGzip();
  const done = new Promise<void>((resolve, reject) => gzip.pipe(createWriteStream(out)).on('finish', resolve).on('error', reject));
  const write = (chunk: Buffer) => new Promise<void>((resolve) => (gzip.write(chunk) ? resolve() : gzip.once('drain', resolve)));
  const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  for (const name of names) {
    const data = member(name === 'test_batch.bin' ? source.test : source.train);
    await write(header(`${DIR}/${name}`, data.length));
    await write(data);
    await write(Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  const meta = Buffer.from('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');
  await write(header(`${DIR}/batches.meta.txt`, meta.length));
  await write(Buffer.concat([meta, Buffer.alloc(512 - meta.length), Buffer.alloc(1024)]));
  gzip.end();
  await done;
  process.stdout.write(`wrote ${out}\n`);
}

/** One load in this process; prints a JSON line. */
async function child(archive: string): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  const ds = await loadDataset('cifar10', { data: archive });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const peak = process.resourceUsage().maxRSS * 1024;
  const result = {
    seconds,
    extraPeakMB: (peak - before) / 2 ** 20,
    extraAfterMB: (process.memoryUsage().rss - before) / 2 ** 20,
    arrayBuffersMB: process.memoryUsage().arrayBuffers / 2 ** 20,
    train: ds.train.count,
    test: ds.test.count,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(archives: string[], runs: number): void {
  const self = fileURLToPath(import.meta.url);
  process.stdout.write(`node ${process.version}, ${runs} runs each, medians\n`);
  process.stdout.write('| archive | train + test | load time | peak extra memory | extra memory after load |\n|---|---|---|---|---|\n');
  for (const archive of archives) {
    const results = Array.from({ length: runs }, () => {
      const r = spawnSync(process.execPath, ['--expose-gc', self, 'child', archive], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`load of ${archive} failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as { seconds: number; extraPeakMB: number; extraAfterMB: number; train: number; test: number };
    });
    const m = (key: 'seconds' | 'extraPeakMB' | 'extraAfterMB') => median(results.map((r) => r[key]));
    process.stdout.write(
      `| ${archive} | ${results[0].train} + ${results[0].test} | ${m('seconds').toFixed(2)} s | ${m('extraPeakMB').toFixed(0)} MiB | ${m('extraAfterMB').toFixed(0)} MiB |\n`,
    );
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'synthesize' && args[0]) await synthesize(args[0], args[1]);
else if (mode === 'child' && args[0]) await child(args[0]);
else if (mode === 'measure' && args.length > 0) {
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
  measure(args, runs);
} else {
  process.stderr.write('usage: measure-load.js synthesize OUT.tar.gz [SUBSET.tar.gz] | measure ARCHIVE... [--runs N]\n');
  process.exitCode = 2;
}
