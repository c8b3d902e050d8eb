#!/usr/bin/env node
/**
 * The `lisht` command line. Every command lives in its own module under `src/cli/commands/`
 * and only parses flags, calls the library and prints; see `commands/index.ts`.
 *
 * Only the module of the command being run is imported, and TensorFlow.js (with this
 * package's registrations) only for commands that use it: `lisht --help`, `lisht results` and
 * `lisht datasets` start without it (`node dist/bench/cli-start.js` measures the start).
 */
import { Command, CommanderError, Help } from 'commander';
import { commandOf, COMMANDS, WITHOUT_TFJS, type CommandName } from './commands/catalog.js';
import { LOADERS } from './commands/index.js';
import { systemUserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { VERSION } from '../version.js';
import { endQuietlyOnClosedStdout } from './stop_signals.js';

/**
 * Adds the command `argv` runs, with its module; else (the program's own help, an unknown
 * command) every command as a name and a description only, for the listing and for
 * commander's "did you mean" suggestions.
 */
async function addCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = commandOf(argv);
  if (name !== undefined) {
    // Registrations (the Lisht kernels, layer classes, tensor methods) go with TensorFlow.js.
    if (!WITHOUT_TFJS.includes(name)) await import('../register.js');
    (await LOADERS[name]()).register(program);
    return;
  }
  for (const [command, { description }] of Object.entries(COMMANDS)) program.command(command).description(description);
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => COMMANDS[cmd.name() as CommandName]?.term ?? help.subcommandTerm(cmd) });
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedStdout();
  const program = new Command('lisht')
    .description('LiSHT and other activation functions for TensorFlow.js: experiments, data sets, benchmarks')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  await addCommands(program, argv);
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
