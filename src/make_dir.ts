/**
 * Creating output folders. Node's `mkdir(path, { recursive: true })` never returns for some
 * paths (under /proc it loops on ENOENT forever, ignoring signals), so every folder this
 * project creates goes through this bounded walk instead.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors.js';
import { EXIT, type ExitCode } from './exit_codes.js';

function cannotCreate(path: string, reason: string, code: ExitCode = EXIT.CANT_CREATE): UserError {
  return new UserError(`cannot create folder ${path}: ${reason}`, code);
}

/**
 * Creates `path` and its missing parents, as `mkdir -p` does. Resolves to the first folder it
 * created (undefined when `path` existed), as `mkdir(path, { recursive: true })` does; throws a
 * {@link UserError} (exit 73) naming the folder that could not be made, and why.
 */
export async function makeDir(path: string): Promise<string | undefined> {
  const target = resolve(path);
  // The folders to create, deepest last: at most one per path component.
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    let info;
    try {
      info = await stat(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw cannotCreate(target, `${dir}: ${code ?? (err as Error).message}`);
      missing.unshift(dir);
      if (dirname(dir) === dir) break;
      continue;
    }
    if (!info.isDirectory()) throw cannotCreate(target, `${dir} is not a folder`);
    break;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // Another process made it meanwhile: fine, if it is a folder.
      if (e.code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory()) continue;
      const reason =
        e.code === 'ENOENT' ? `${dirname(dir)} does not accept new folders` : e.code === 'EROFS' ? `${dirname(dir)} is read-only` : e.code === 'EACCES' ? `no permission to write in ${dirname(dir)}` : `${e.code ?? e.message}`;
      throw cannotCreate(target, e.code === 'ENOSPC' ? `${dirname(dir)}: the disk is full` : reason, e.code === 'ENOSPC' || e.code === 'EIO' ? EXIT.IO : EXIT.CANT_CREATE);
    }
  }
  return missing[0];
}
