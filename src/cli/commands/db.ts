import { COMMANDS } from './catalog.js';
import type { Command } from 'commander';
import { copyStore } from '../../experiments/store_copy.js';

export function register(program: Command): void {
  const db = program.command('db').description(COMMANDS.db.description);
  db.command('copy')
    .description('Copy a results database with its stored checkpoints and models into a new one: SQLite file to PostgreSQL URL, or back')
    .argument('<from>', 'the database to copy: a SQLite file or a postgres:// URL')
    .argument('<to>', 'a new SQLite file, or a PostgreSQL database without experiments')
    .action(async (from: string, to: string) => {
      const r = await copyStore(from, to);
      process.stdout.write(`Copied ${r.experiments} experiments, ${r.trials} trials and ${r.files} stored files (checkpoints, models).\n`);
    });
}
