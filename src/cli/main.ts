#!/usr/bin/env node
/**
 * The `lisht` command line. Every command lives in its own module under `src/cli/commands/`
 * and only parses flags, calls the library and prints; see `commands/index.ts`.
 */
import { Command, CommanderError } from 'commander';
import '../register.js';
import { registerCommands } from './commands/index.js';
import { systemUserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { VERSION } from '../version.js';
import { endQuietlyOnClosedStdout } from './stop_signals.js';

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedStdout();
  const program = new Command('lisht')
    .description('LiSHT and other activation functions for TensorFlow.js: experiments, data sets, benchmarks')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.OK : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version requests also come through here, with exit code 0; commander's own
      // code for a bad flag or flag value (1) would read as a failed training run.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    // A failed system call the user can act on (a full disk, a read-only folder) is one line
    // with its documented code, not a stack trace.
    const userError = systemUserError(err);
    if (userError !== undefined) {
      process.stderr.write(`lisht: error: ${userError.message}\n`);
      return userError.exitCode;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lisht: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT.SOFTWARE;
  },
);
