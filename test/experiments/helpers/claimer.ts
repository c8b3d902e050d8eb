/**
 * A process that claims trials of a store as fast as it can and finishes each at once, for
 * the test that several processes never take the same trial. Prints the ids it got.
 *   node claimer.js DB EXPERIMENT_ID START_AT_MS
 * DB is a SQLite file or a PostgreSQL URL. All start at START_AT_MS and pause a little after
 * each trial, so they really compete.
 */
import { hostname } from 'node:os';
import '../../../src/register.js';
import { processStartTime } from '../../../src/experiments/liveness.js';
import { openStore } from '../../../src/experiments/open_store.js';

const [db, experimentId, startAt] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await sleep(Math.max(0, Number(startAt) - Date.now()));
const store = await openStore(db!, { busyTimeoutMs: 30_000 });
const claimant = { pid: process.pid, host: hostname(), pidStart: processStartTime(process.pid), backend: 'none', lishtVersion: 'test', gitCommit: null };
const got: number[] = [];
for (;;) {
  const trial = await store.claimTrial(Number(experimentId), claimant, 60_000);
  if (trial === undefined) break;
  got.push(trial.trialId);
  await store.recordEpoch(trial, { epoch: 1, loss: 1, accuracy: 0.5, val_loss: 1, val_accuracy: 0.5, seconds: 0 }, 60_000);
  await sleep(5);
  await store.finishTrial(trial, { params: 1, trainCount: 1, testCount: 1, dataSource: 'none', dataPath: 'none', testLoss: 1, testAccuracy: 0.5, classes: [{ name: 'a', support: 1, correct: 1 }], confusion: [[1]], samples: [] }, 60_000);
}
await store.close();
process.stdout.write(JSON.stringify(got));
