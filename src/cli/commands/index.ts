import type { Command } from 'commander';
import { register as bench } from './bench.js';
import { register as compare } from './compare.js';
import { register as datasets } from './datasets.js';
import { register as show } from './show.js';
import { register as summary } from './summary.js';

/**
 * Adds every subcommand to the program. One module per command; each exports
 * `register(program)`. Keep this list in alphabetical order.
 */
export function registerCommands(program: Command): void {
  bench(program);
  compare(program);
  datasets(program);
  show(program);
  summary(program);
}
