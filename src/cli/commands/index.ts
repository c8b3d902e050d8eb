import type { Command } from 'commander';
import { register as bench } from './bench.js';
import { register as compare } from './compare.js';
import { register as convert } from './convert.js';
import { register as datasets } from './datasets.js';
import { register as db } from './db.js';
import { register as inspect } from './inspect.js';
import { register as playground } from './playground.js';
import { register as report } from './report.js';
import { register as results } from './results.js';
import { register as run } from './run.js';
import { register as show } from './show.js';
import { register as summary } from './summary.js';
import { register as worker } from './worker.js';

/**
 * Adds every subcommand to the program. One module per command; each exports
 * `register(program)`. Keep this list in alphabetical order.
 */
export function registerCommands(program: Command): void {
  bench(program);
  compare(program);
  convert(program);
  datasets(program);
  db(program);
  inspect(program);
  playground(program);
  report(program);
  results(program);
  run(program);
  show(program);
  summary(program);
  worker(program);
}
