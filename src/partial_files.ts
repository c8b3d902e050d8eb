/**
 * Files that are half-written (a download's `.part`, a temporary file renamed into place when
 * complete) and must not outlive the process that writes them, however it ends: an error, a
 * `process.exit`, or SIGINT/SIGTERM. Node runs no cleanup when a signal kills a process by its
 * default action, so while any file is tracked this module listens for those signals: where
 * nothing else does, it ends the process as the signal would have (exit code 130), running
 * the `exit` cleanup; where a command handles them itself (`stopOnSignals`), it leaves the
 * decision to it, and the cleanup runs when that command exits.
 */
import { rmSync } from 'node:fs';
import { EXIT } from './exit_codes.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const live = new Set<string>();

function removeAll(): void {
  for (const path of live) {
    try {
      rmSync(path, { force: true });
    } catch {
      // Exiting anyway; a file that cannot be removed now cannot be removed later either.
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Only this module listens: the signal would have killed the process, so end it the same way.
  if (process.listenerCount(signal) === 1) process.exit(EXIT.INTERRUPTED);
}

function listen(on: boolean): void {
  for (const s of SIGNALS) {
    if (on) process.on(s, onSignal);
    else process.removeListener(s, onSignal);
  }
  if (on) process.on('exit', removeAll);
  else process.removeListener('exit', removeAll);
}

/**
 * Marks `path` as half-written: it is removed if the process ends before the returned function
 * is called (call it once the file is complete and renamed, or removed).
 */
export function trackPartialFile(path: string): () => void {
  if (live.size === 0) listen(true);
  live.add(path);
  return () => {
    if (!live.delete(path)) return;
    if (live.size === 0) listen(false);
  };
}
