import { UserError } from '../errors.js';

/**
 * Exit codes of data-set failures, from BSD's sysexits.h as the CLI's own 70 (EX_SOFTWARE):
 * scripts can tell "your file is bad" from "the network is down".
 */
export const EXIT_DATA_ERROR = 65; // EX_DATAERR
export const EXIT_NO_INPUT = 66; // EX_NOINPUT
export const EXIT_UNAVAILABLE = 69; // EX_UNAVAILABLE

/** A file that exists but is not what it should be (truncated, wrong size, bad label...). */
export function dataError(file: string, problem: string): UserError {
  return new UserError(`${file}: ${problem}`, EXIT_DATA_ERROR);
}

/** A file or folder that is missing or cannot be read. */
export function inputError(file: string, problem: string): UserError {
  return new UserError(`${file}: ${problem}`, EXIT_NO_INPUT);
}

/** A download that failed. */
export function downloadError(url: string, problem: string): UserError {
  return new UserError(`download of ${url} failed: ${problem}`, EXIT_UNAVAILABLE);
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
