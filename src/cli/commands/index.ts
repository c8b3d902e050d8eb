import type { Command } from 'commander';

/**
 * Adds every subcommand to the program. One module per command; each exports
 * `register(program)`. Keep this list in alphabetical order.
 */
export function registerCommands(program: Command): void {
  void program;
}
