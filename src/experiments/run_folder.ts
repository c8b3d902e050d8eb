/**
 * The layout of a `compare` run folder: its results store, and per activation the trained
 * model with its initial weights in `initial/`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { shellQuote } from '../shell_quote.js';

/** The results store of `lisht run`, `results`, `report` and `worker` without --db. */
export const DEFAULT_DB = 'lisht.db';

/** Where `compare` saves each activation's models, relative to the run folder. */
export const MODELS_DIR = 'models';

/** The results store of a compare run folder. */
export const RUN_STORE_FILE = 'results.db';
/** Subfolder of `models/<activation>/` with the weights before training. */
export const INITIAL_DIR = 'initial';

/**
 * The results store a command reads: `<run>/results.db` of a compare run folder, or the `--db`
 * file (default `lisht.db`). Both at once is a usage error.
 */
export function storePath(run: string | undefined, db: string | undefined, defaultDb: string): string {
  if (run !== undefined && db !== undefined) throw new UserError('give a compare run folder or --db, not both');
  if (run === undefined) return db ?? defaultDb;
  let isDir: boolean;
  try {
    isDir = statSync(run).isDirectory();
  } catch {
    throw new UserError(`${run}: no such run folder`, EXIT.NO_INPUT);
  }
  if (!isDir) throw new UserError(`${run} is a file; give a compare run folder, or the database as --db ${shellQuote(run)}`);
  const path = join(run, RUN_STORE_FILE);
  if (!existsSync(path)) throw new UserError(`${run} has no ${RUN_STORE_FILE}: it is not a compare run folder (or was written by lisht 0.1)`, EXIT.NO_INPUT);
  return path;
}
