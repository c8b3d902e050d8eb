/**
 * CIFAR from bytes in memory (a file dropped on a page, a `fetch` body): `.tar.gz` or `.tar`,
 * gunzipped with the platform's `DecompressionStream` (browsers, Node 18+), walked by
 * `tar_bytes.ts` into the same {@link CifarReader} that reads archives from disk.
 */
import { CIFAR10_LAYOUT, type CifarLayout } from './cifar_layout.js';
import { CifarReader } from './cifar_reader.js';
import { dataError } from './errors.js';
import { walkTarBytes } from './tar_bytes.js';
import type { ImageDataset } from './types.js';

/** Whether `bytes` start with gzip's magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips `bytes`; a truncated or corrupt stream is a data error naming `file`. */
export async function gunzipBytes(file: string, bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  // Read chunk by chunk rather than through `new Response(stream)`: a browser's Response reports
  // a failing stream as "Failed to fetch", which reads like a network problem (issue 24).
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch (err) {
    const reason = (err as Error).message;
    throw dataError(file, `truncated or corrupt gzip data: the archive ends early or holds bytes that do not decompress (${size.toLocaleString('en')} bytes decompressed${/fetch/i.test(reason) ? '' : `; ${reason}`})`);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Parses a CIFAR-10 (or, with its layout, CIFAR-100) binary archive held in `bytes`.
 * `file` names it in errors. Checks record sizes, counts and labels; no checksum (a subset
 * or a re-packed archive is fine).
 */
export async function parseCifarArchive(file: string, bytes: Uint8Array, layout: CifarLayout = CIFAR10_LAYOUT): Promise<ImageDataset> {
  const tar = isGzip(bytes) ? await gunzipBytes(file, bytes) : bytes;
  const reader = new CifarReader(file, layout);
  const prefix = `${layout.folder}/`;
  let matched = false;
  walkTarBytes(file, tar, (member) => {
    if (!member.path.startsWith(prefix)) return undefined;
    matched = true;
    return reader.sinkFor(member.path.slice(prefix.length), member.size);
  });
  if (!matched) throw dataError(file, `not a ${layout.name} binary archive: no member under ${prefix}`);
  return reader.finish({ path: file, verification: 'structure', notes: ['read in memory: record sizes, counts and labels checked (no checksum)'] });
}
