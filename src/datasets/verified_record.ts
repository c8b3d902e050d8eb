import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A note beside a cached file saying "these bytes were checked", so that the check (an MD5 of
 * 170 MB for CIFAR) runs once per file and not on every load.
 *
 * The note holds the file's size and modification time when it was checked and the registry's
 * checksums it was checked against. It counts only while all of them still match: any write to
 * the file (a truncation, a copy over it, a re-download) moves its mtime, and a new release
 * with other checksums invalidates every note. What it cannot see is a change that keeps both
 * size and mtime (bit rot, or a tool that restores the mtime after writing); `lisht datasets
 * download NAME --force` replaces such a file. Hashing every time would catch those too, at
 * about a second per CIFAR load: size + mtime is the trade git and make use for the same job.
 */
export interface VerifiedRecord {
  size: number;
  mtimeMs: number;
  /** What the file was checked against (e.g. `md5:...`), so new checksums invalidate the note. */
  against: string;
}

/** Path of the note kept beside `file` (hidden, like the `.part` files of a download). */
export function recordPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.verified.json`);
}

/** True when `file` has a note, made against `against`, that still matches its size and mtime. */
export async function hasValidRecord(file: string, against: string): Promise<boolean> {
  const [info, text] = await Promise.all([
    stat(file).catch(() => undefined),
    readFile(recordPath(file), 'utf8').catch(() => undefined),
  ]);
  if (!info || text === undefined) return false;
  let record: Partial<VerifiedRecord>;
  try {
    record = JSON.parse(text) as Partial<VerifiedRecord>;
  } catch {
    return false; // a damaged note only costs one more check
  }
  return record.size === info.size && record.mtimeMs === info.mtimeMs && record.against === against;
}

/**
 * Writes the note for `file`, just checked against `against`. Written to a temporary file and
 * renamed, so a reader sees the old note or the new one, never half of one. A cache that cannot
 * be written (read-only, full) still works, only slower: the failure is swallowed on purpose.
 */
export async function writeRecord(file: string, against: string): Promise<void> {
  const target = recordPath(file);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  try {
    const info = await stat(file);
    const record: VerifiedRecord = { size: info.size, mtimeMs: info.mtimeMs, against };
    await writeFile(temp, JSON.stringify(record) + '\n', { flag: 'wx' });
    await rename(temp, target);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

