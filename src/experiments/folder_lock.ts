/**
 * One writer per run folder. `compare`, `report` and `inspect` write many files into a folder
 * (a store, charts, models, a report); two of them at once interleave those files or delete
 * each other's, so each holds this lock for as long as it writes. The lock is a file created
 * exclusively, naming its holder; a holder that died (same host, process gone) leaves a stale
 * lock that the next writer takes over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { isProcessAlive, processStartTime } from './liveness.js';
import { thisHost } from './store.js';

/** The lock file's name inside a locked folder. */
export const LOCK_FILE = '.lisht.lock';

interface Holder {
  pid: number;
  host: string;
  pidStart: string | null;
  since: string;
  command: string;
}

/** A held folder lock; `release` is idempotent. */
export interface FolderLock {
  readonly path: string;
  release(): void;
}

function readHolder(path: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') {
      return { pid: h.pid, host: h.host, pidStart: h.pidStart ?? null, since: h.since ?? '?', command: h.command ?? 'lisht' };
    }
  } catch {
    // Unreadable or half-written: treated as a holder we cannot name (see below).
  }
  return undefined;
}

function isStale(holder: Holder): boolean {
  return holder.host === thisHost() && !isProcessAlive(holder.pid, holder.pidStart);
}

/**
 * Takes the lock of `dir` (which must exist) for `command` (e.g. `lisht compare`), or throws a
 * {@link UserError} with exit code 75 naming the process that holds it.
 */
export function lockFolder(dir: string, command: string): FolderLock {
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: thisHost(), pidStart: processStartTime(process.pid), since: new Date().toISOString(), command };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me) + '\n', { flag: 'wx' });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UserError(`cannot lock ${dir} for writing: ${code ?? (err as Error).message}`, code === 'ENOSPC' ? EXIT.IO : EXIT.CANT_CREATE);
      const holder = readHolder(path);
      if (attempt === 0 && holder !== undefined && isStale(holder)) {
        rmSync(path, { force: true });
        continue;
      }
      const who = holder === undefined ? `another lisht process (see ${path})` : `${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
      throw new UserError(
        `${dir} is being written by ${who}; wait for it to finish or stop it (a lock left by a process that no longer runs on another host can be removed: ${path})`,
        EXIT.TEMP_FAIL,
      );
    }
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      // Only our own lock: a stale-lock takeover by another process must not be undone.
      if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}
