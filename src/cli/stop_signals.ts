/**
 * Ctrl-C (SIGINT) and SIGTERM (what `kill`, systemd and Kubernetes send) stop a long command the
 * same way: the first asks it to stop after the current step, keeping what was measured; a
 * second one quits at once with the interrupted exit code.
 */
import { EXIT } from '../exit_codes.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Aborts the returned signal on the first SIGINT or SIGTERM, after writing `message` to stderr.
 * Call `release` when the command is done, so the process's default handling is back.
 */
export function stopOnSignals(message: string): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
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
      for (const s of SIGNALS) {
        process.removeListener(s, stop);
        process.removeListener(s, quit);
      }
    },
  };
}
