/**
 * An error caused by the user's input (a flag, a file, a name), not by a bug. The CLI prints
 * its message without a stack trace and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
