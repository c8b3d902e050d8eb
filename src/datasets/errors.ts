import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';

/** A file that exists but is not what it should be (truncated, wrong size, bad label...). */
export function dataError(file: string, problem: string): UserError {
  return new UserError(`${file}: ${problem}`, EXIT.DATA);
}

/** A file or folder that is missing or cannot be read. */
export function inputError(file: string, problem: string): UserError {
  return new UserError(`${file}: ${problem}`, EXIT.NO_INPUT);
}

/** A download that failed. */
export function downloadError(url: string, problem: string): UserError {
  return new UserError(`download of ${url} failed: ${problem}`, EXIT.UNAVAILABLE);
}

/** Turns a Node fs error into a message a user can act on. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, expected a file';
    case 'ENOTDIR':
      return 'a parent of this path is not a folder';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** Wraps an fs error as an input error naming the path. */
export function fsInputError(path: string, err: unknown): UserError {
  return inputError(path, `cannot read: ${describeFsError(err)}`);
}

/**
 * A file in the cache that is not the file that was verified into it (truncated, overwritten,
 * damaged on disk). Says that it is the cached copy, what is wrong, and how to mend it.
 */
export class DamagedCacheError extends UserError {
  constructor(
    readonly path: string,
    name: string,
    problem: string,
  ) {
    super(
      `${path}: the cached copy of ${name} is damaged (${problem}); ` +
        `run \`lisht datasets download ${name} --force\` to fetch it again, or delete it`,
      EXIT.DATA,
    );
    this.name = 'DamagedCacheError';
  }
}
