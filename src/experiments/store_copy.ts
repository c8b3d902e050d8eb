/**
 * `lisht db copy FROM TO`: every row of a results store and every stored file of its trials
 * (checkpoints, saved models) into a new store, SQLite to PostgreSQL or back (or same to same).
 * Ids are kept, so trials, runs and files stay linked. Claims do not travel: they belong to
 * the workers of the source store, so a trial running there arrives pending (resumed from its
 * copied checkpoint by the target's workers), and its open run is recorded as lost.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { isPostgresUrl, openStore } from './open_store.js';
import { checkpointRoot, modelsRoot } from './sqlite_store.js';
import type { Store } from './store_api.js';
import { TABLE_ORDER } from './store_tables.js';

export interface CopySummary {
  experiments: number;
  trials: number;
  files: number;
}

/** A trial row as it arrives in the target: a running trial's claim stays behind. */
function withoutClaim(row: Record<string, unknown>): Record<string, unknown> {
  if (row.status !== 'running') return { ...row, lease_until: null };
  return { ...row, status: 'pending', claim_token: null, claim_pid: null, claim_host: null, claim_pid_start: null, lease_until: null };
}

/** Paths a new SQLite store at `path` would write; none may exist, so nothing is overwritten. */
function sqliteOutputs(path: string): string[] {
  return [path, `${path}-wal`, checkpointRoot(path), modelsRoot(path)];
}

/**
 * Copies the store `from` into `to`, which must be new (a SQLite file that does not exist, or a
 * PostgreSQL database without experiments). All of it or nothing: a failed copy leaves no
 * target file behind and no rows in a target database.
 */
export async function copyStore(from: string, to: string): Promise<CopySummary> {
  const toSqlite = !isPostgresUrl(to);
  if (toSqlite) {
    const taken = sqliteOutputs(to).filter((p) => existsSync(p));
    if (taken.length > 0) throw new UserError(`${taken[0]} exists; copy into a new database file (nothing was written)`, EXIT.CANT_CREATE);
  }
  const source = await openStore(from, { readonly: true });
  let target: Store | undefined;
  try {
    const tables = new Map<string, Record<string, unknown>[]>();
    for (const table of TABLE_ORDER) {
      const rows = await source.dumpTable(table);
      if (table === 'trials') tables.set(table, rows.map(withoutClaim));
      else if (table === 'trial_runs') tables.set(table, rows.map((r) => (r.outcome === null ? { ...r, outcome: 'lost' } : r)));
      else tables.set(table, rows);
    }
    const files = await source.dumpArtifacts();
    target = await openStore(to);
    await target.load(tables, files);
    return { experiments: tables.get('experiments')!.length, trials: tables.get('trials')!.length, files: files.length };
  } catch (err) {
    await target?.close();
    target = undefined;
    if (toSqlite) for (const p of [...sqliteOutputs(to), `${to}-shm`]) await rm(p, { recursive: true, force: true });
    throw err;
  } finally {
    await source.close();
    await target?.close();
  }
}
