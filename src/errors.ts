/**
 * An error caused by the user's input (a flag, a file, a name), not by a bug. The CLI prints
 * its message without a stack trace and exits with `exitCode`.
 */
import { EXIT, type ExitCode } from './exit_codes.js';

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** System calls that create or change files: a permission error there concerns an output. */
const WRITING_CALLS = new Set(['mkdir', 'rename', 'unlink', 'rmdir', 'write', 'copyfile', 'link', 'symlink', 'utime', 'chmod', 'ftruncate', 'fsync']);

/**
 * The UserError a failed system call means, or undefined when it is not one the user can act
 * on. One mapping for every command (the CLI's error handler and `lisht run`'s workers), so a
 * full disk is 74 wherever it happens, naming the path where the error carries one:
 * ENOSPC, EDQUOT, EFBIG, EIO: IO (74); EROFS, and EACCES, EPERM, EEXIST, ENOTDIR while creating
 * or changing files: CANT_CREATE (73); EACCES and EPERM elsewhere (opening to read): NO_INPUT (66).
 */
export function systemUserError(err: unknown): UserError | undefined {
  if (err instanceof UserError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  if (typeof e?.code !== 'string' || typeof e.syscall !== 'string') return undefined;
  const where = e.path !== undefined ? `${e.path}: ` : '';
  const reason = REASONS[e.code] ?? e.code;
  switch (e.code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
    case 'EIO':
      return new UserError(`${where}cannot write: ${reason}`, EXIT.IO);
    case 'EROFS':
      return new UserError(`${where}cannot write: ${reason}`, EXIT.CANT_CREATE);
    case 'EACCES':
    case 'EPERM':
      return WRITING_CALLS.has(e.syscall)
        ? new UserError(`${where}cannot create or change: ${reason}`, EXIT.CANT_CREATE)
        : new UserError(`${where}cannot open: ${reason}`, EXIT.NO_INPUT);
    case 'EEXIST':
    case 'ENOTDIR':
      return WRITING_CALLS.has(e.syscall) ? new UserError(`${where}cannot create: ${reason}`, EXIT.CANT_CREATE) : undefined;
    default:
      return undefined;
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
  EIO: 'input/output error',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'a file of that name exists already',
  ENOTDIR: 'a parent of this path is a file, not a folder',
};
