/**
 * Quoting for the commands lisht prints for the user to copy (`Continue with: lisht compare
 * --resume …`): a path with a space or a quote in it must paste back as one argument.
 */

/** `arg` as a POSIX shell reads it back: unchanged when it is plain, else in single quotes. */
export function shellQuote(arg: string): string {
  if (/^[\w/.,:=@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
