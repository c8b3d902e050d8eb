import { createHash } from 'node:crypto';
import { access, constants, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DamagedCacheError, fsInputError } from './errors.js';

/** How a loader was given its path. */
export interface SourceContext {
  /**
   * True when the path is this package's cache: the file was downloaded and verified, so a
   * checksum mismatch now means damage. False for `--data` paths, which are checked by
   * structure when they are not the publisher's files.
   */
  fromCache: boolean;
  /** Data set name, for messages. */
  name: string;
}

/**
 * Decides the verification level of a file whose publisher's MD5 is known. A mismatch is an
 * error for cached files and a note for local ones (e.g. a subset in the official format).
 */
export function checksumNote(
  path: string,
  actual: string,
  expected: string,
  context: SourceContext,
  notes: string[],
): 'checksum' | 'structure' {
  if (actual === expected) return 'checksum';
  if (context.fromCache) {
    throw new DamagedCacheError(path, context.name, `MD5 ${actual}, the publisher's is ${expected}`);
  }
  notes.push(`not the publisher's file (MD5 ${actual}, publisher's ${expected}): record sizes, counts and labels checked instead`);
  return 'structure';
}

/** Absolute path of a `--data` argument, after checking that it exists and can be read. */
export async function resolveLocalData(path: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch((err: unknown) => Promise.reject(fsInputError(absolute, err)));
  await access(absolute, info.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK).catch((err: unknown) =>
    Promise.reject(fsInputError(absolute, err)),
  );
  return absolute;
}

/** Reads a whole (small) file, with errors that name it. */
export async function readWholeFile(path: string): Promise<Buffer> {
  return readFile(path).catch((err: unknown) => Promise.reject(fsInputError(path, err)));
}

export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}
