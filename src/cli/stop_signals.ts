/**
 * Ctrl-C (SIGINT) and SIGTERM (what `kill`, systemd and Kubernetes send) stop a long command the
 * same way: the first asks it to stop after the current step, keeping what was measured; a
 * second one quits at once with the interrupted exit code.
 */
import { EXIT } from '../exit_codes.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The stops of the commands running now, which a closed stdout also triggers. */
const active = new Set<AbortController>();

/**
 * A reader that goes away (`lisht results | head -1`) ends the command quietly, as it ends
 * `git log`: no stack trace, nothing more written to stdout, and a long command stops as on
 * the first SIGINT, keeping what it measured. Call once, at start.
 */
export function endQuietlyOnClosedStdout(): void {
  let closed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (closed) return;
    closed = true;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    for (const controller of active) controller.abort();
  });
}

/**
 * Aborts the returned signal on the first SIGINT or SIGTERM, after writing `message` to stderr.
 * Call `release` when the command is done, so the process's default handling is back.
 */
export function stopOnSignals(message: string): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  active.add(controller);
  const quit = () => process.exit(EXIT.INTERRUPTED);
  const stop = (name: string) => {
    process.stderr.write(`\n${name}: ${message} (${name === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit at once)\n`);
    controller.abort();
    for (const s of SIGNALS) {
      process.removeListener(s, stop);
      process.once(s, quit);
    }
  };
  for (const s of SIGNALS) process.on(s, stop);
  return {
    signal: controller.signal,
    release: () => {
      active.delete(controller);
      for (const s of SIGNALS) {
        process.removeListener(s, stop);
        process.removeListener(s, quit);
      }
    },
  };
}
