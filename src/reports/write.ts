/**
 * Atomic file writes: readers (a browser reloading report.html, a second `lisht` process) see
 * either the old file or the complete new one, never a half-written file, even if we crash.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { trackPartialFile } from '../partial_files.js';

/** The temporary file sits next to the target: rename is only atomic within one file system. */
function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `data` (UTF-8 for strings) to `path` atomically: write a temporary file in the same
 * directory, flush it to disk, then rename it over `path`. The directory must exist. On failure
 * the temporary file is removed and `path` is untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPath(path);
  const untrack = trackPartialFile(temp);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      // Without the flush, a power cut after the rename can leave an empty file behind.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw namingPath(err, path, temp);
  } finally {
    untrack();
  }
}

/**
 * A write error (ENOSPC from write(2)) carries no path, an open error the temporary file's;
 * name the file the caller asked for.
 */
function namingPath(err: unknown, path: string, temp: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && (e.path === undefined || e.path === temp)) e.path = path;
  return err;
}

/** Synchronous twin of `writeFileAtomic`, for exit handlers and other places that cannot await. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const temp = tempPath(path);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw namingPath(err, path, temp);
  }
}
