/**
 * A folder as a list of files (relative paths and bytes) and back: how checkpoints and saved
 * models travel into a database and out of it again.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../reports/write.js';
import { makeDir } from '../make_dir.js';

/** One file of a folder; `path` is relative, with `/` separators. */
export interface FolderFile {
  path: string;
  data: Uint8Array;
}

/** Every file under `dir` (none when it does not exist), in path order. */
export async function readFolder(dir: string): Promise<FolderFile[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: FolderFile[] = [];
  for (const path of entries.sort()) {
    const rel = relative(dir, path).split(sep).join('/');
    // Temporary files of an atomic write in progress are not part of the folder.
    if (rel.split('/').some((part) => part.startsWith('.') && part.endsWith('.tmp'))) continue;
    files.push({ path: rel, data: new Uint8Array(await readFile(path)) });
  }
  return files;
}

/** Replaces `dir` by exactly `files` (each written atomically); none: `dir` is removed. */
export async function writeFolder(dir: string, files: readonly FolderFile[]): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  for (const f of files) {
    if (f.path.split('/').includes('..')) throw new Error(`refusing to write ${f.path} outside ${dir}`);
    const path = join(dir, ...f.path.split('/'));
    await makeDir(dirname(path));
    await writeFileAtomic(path, f.data);
  }
}
