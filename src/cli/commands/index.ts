import type { Command } from 'commander';
import type { CommandName } from './catalog.js';

/** A command module: it adds its command, flags and action to the program. */
export interface CommandModule {
  register(program: Command): void;
}

/**
 * Each command's module, imported only when that command runs (or its own help is asked
 * for): a command pays for its own imports alone. Keep this list in alphabetical order.
 */
export const LOADERS: Record<CommandName, () => Promise<CommandModule>> = {
  bench: () => import('./bench.js'),
  compare: () => import('./compare.js'),
  convert: () => import('./convert.js'),
  datasets: () => import('./datasets.js'),
  db: () => import('./db.js'),
  inspect: () => import('./inspect.js'),
  playground: () => import('./playground.js'),
  report: () => import('./report.js'),
  results: () => import('./results.js'),
  run: () => import('./run.js'),
  show: () => import('./show.js'),
  summary: () => import('./summary.js'),
  worker: () => import('./worker.js'),
};

/** Adds every subcommand to the program, each module loaded (for tests and tools that walk them all). */
export async function registerCommands(program: Command): Promise<void> {
  for (const load of Object.values(LOADERS)) (await load()).register(program);
}
