/**
 * Whether the process holding a trial's claim still runs. A pid alone is not enough: a killed
 * worker can linger as a zombie, and its pid can be reused by an unrelated process, so on
 * Linux the process's start time from /proc is recorded with the claim and compared.
 */
import { readFileSync } from 'node:fs';

function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The start time of process `pid` as /proc gives it (clock ticks since boot), or null off Linux. */
export function processStartTime(pid: number): string | null {
  // Field 22 of /proc/<pid>/stat; index 19 counting from field 3 (the state).
  return procStat(pid)?.[19] ?? null;
}

/**
 * True when `pid` runs and is the process that was started at `startTime` (when known).
 * Zombies count as dead. Where /proc is missing, falls back to signal 0.
 */
export function isProcessAlive(pid: number, startTime: string | null): boolean {
  const fields = procStat(pid);
  if (fields !== undefined) return fields[0] !== 'Z' && (startTime === null || fields[19] === startTime);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
