/**
 * Entry point of a worker process, forked by `runExperiment`. Waits for its options, runs
 * {@link workLoop} and reports over the IPC channel. SIGINT (Ctrl-C reaches the whole process
 * group), SIGTERM, a `stop` message or the parent's death all stop it gracefully: the current
 * trial is given back after its current step and resumes from its checkpoint next time.
 */
import '../register.js';
import { EXIT } from '../exit_codes.js';
import { workLoop } from './worker.js';
import type { ParentMessage, WorkerEvent } from './worker_protocol.js';

const stop = new AbortController();
const send = (event: WorkerEvent) => {
  if (process.connected) process.send!(event);
};

process.on('SIGINT', () => stop.abort());
process.on('SIGTERM', () => stop.abort());
process.on('disconnect', () => stop.abort());
process.on('message', (message: ParentMessage) => {
  if (message.type === 'stop') stop.abort();
  else if (message.type === 'start') {
    void workLoop(message.options, send, stop.signal).finally(() => {
      // Exit once the last event is handed over; tfjs and timers must not keep us alive.
      if (process.connected) process.send!({ type: 'exit' }, () => process.exit(EXIT.OK));
      else process.exit(EXIT.OK);
    });
  }
});
