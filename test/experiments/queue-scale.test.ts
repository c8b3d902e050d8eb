import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { queueScale } from '../../bench/queue-scale.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

let server: PgServer;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.remove();
});

test('issue 16: 16 workers on one PostgreSQL server, 32 short trials: each claimed and finished once, none lost', async () => {
  const url = await server.createDatabase('scale');
  const r = await queueScale({ url, workers: 16, seeds: 16, mode: 'queue' });
  assert.equal(r.trials, 32);
  assert.deepEqual([r.duplicates, r.lost], [0, 0]);
  assert.equal(r.perWorker.reduce((a, b) => a + b, 0), 32, `claims per worker: ${r.perWorker.join(' ')}`);
  assert.ok(r.perWorker.filter((n) => n > 0).length >= 2, 'the work was shared');
  assert.ok(Number.isFinite(r.claimsPerSecond) && r.claimsPerSecond > 0);
});
