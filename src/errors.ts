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
