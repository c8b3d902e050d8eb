import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { verifyCarDownload } from './car_evaluation.js';
import { verifyIrisDownload } from './iris.js';
import { fsInputError } from './errors.js';
import type { DatasetFile } from './registry.js';
import { verifySentiment140Download } from './sentiment140.js';
import type { DatasetName } from './types.js';
import { hasValidRecord, writeRecord } from './verified_record.js';

/** Structural checks of files whose publisher gives no checksum; each throws to refuse a file. */
export const STRUCTURE_CHECKS: Partial<Record<DatasetName, (path: string) => Promise<void>>> = {
  iris: verifyIrisDownload,
  'car-evaluation': verifyCarDownload,
  sentiment140: verifySentiment140Download,
};

/** What a file is checked against: its registry checksums, or the structural check. */
export function checkedAgainst(file: DatasetFile): string {
  return file.md5 ? `md5:${file.md5}${file.contentMd5 ? `,content-md5:${file.contentMd5}` : ''}` : 'structure';
}

/** The verdict on a cached file, and what it rests on. */
export type CacheVerdict =
  | { intact: true; by: 'record' | 'checksum' | 'content-checksum' | 'structure' }
  | { intact: false; problem: string };

async function md5Of(path: string, gunzip: boolean): Promise<string> {
  const hash = createHash('md5');
  const sink = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
  });
  await (gunzip ? pipeline(createReadStream(path), createGunzip(), sink) : pipeline(createReadStream(path), sink));
  return hash.digest('hex');
}

async function checkSums(path: string, file: DatasetFile, size: number): Promise<CacheVerdict> {
  const md5 = file.md5!;
  // A re-compressed copy may differ in size and still be good (its contents are checked
  // below), so the size alone condemns a file only where no content checksum exists.
  if (!file.contentMd5 && file.sizeBytes !== undefined && size !== file.sizeBytes) {
    return { intact: false, problem: `${size} bytes, the publisher's file has ${file.sizeBytes}` };
  }
  const actual = await md5Of(path, false).catch((err: unknown) => Promise.reject(fsInputError(path, err)));
  if (actual === md5) return { intact: true, by: 'checksum' };
  if (file.contentMd5) {
    const content = await md5Of(path, true).catch((err: unknown) => `unreadable (${(err as Error).message})`);
    if (content === file.contentMd5) return { intact: true, by: 'content-checksum' };
    return { intact: false, problem: 'it matches neither the published MD5 of the file nor of its contents' };
  }
  return { intact: false, problem: `MD5 ${actual}, the publisher's is ${md5}` };
}

/**
 * Decides whether the cached copy of `file` at `path` is the file that was downloaded: the
 * size first (free), then the publisher's checksum, or for files without one the structural
 * check a download passes. A file once found intact gets a note beside it (see
 * `verified-record.ts`), so later calls cost two `stat`s until the file changes.
 */
export async function checkCachedFile(name: DatasetName, file: DatasetFile, path: string): Promise<CacheVerdict> {
  const against = checkedAgainst(file);
  if (await hasValidRecord(path, against)) return { intact: true, by: 'record' };
  const info = await stat(path).catch((err: unknown) => Promise.reject(fsInputError(path, err)));
  let verdict: CacheVerdict;
  if (file.md5) {
    verdict = await checkSums(path, file, info.size);
  } else {
    const check = STRUCTURE_CHECKS[name];
    if (!check) throw new Error(`registry: ${name}/${file.fileName} has neither an MD5 nor a structural check`);
    verdict = await check(path).then(
      () => ({ intact: true, by: 'structure' }) as const,
      (err: unknown) => ({ intact: false, problem: problemOf(path, err) }) as const,
    );
  }
  if (verdict.intact) await writeRecord(path, against);
  return verdict;
}

/** An error's message without the `path: ` prefix the data errors start with. */
export function problemOf(path: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}
