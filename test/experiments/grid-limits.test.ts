/**
 * Issue 25 item 6: a spec's grid is capped (MAX_GRID_TRIALS, exit 2 beyond it, before any list
 * of seeds is built), and registering a grid again inserts only the trials that are new.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../../src/register.js';
import { UserError } from '../../src/errors.js';
import { EXIT } from '../../src/exit_codes.js';
import { MAX_GRID_TRIALS, parseSpecText, planTrials, specHash } from '../../src/experiments/spec.js';
import { PgStore } from '../../src/experiments/pg_store.js';
import { ResultStore } from '../../src/experiments/store.js';
import { startPostgres } from '../helpers/postgres.js';
import { runCli, tempDir } from '../helpers/env.js';
import { writeSpec } from './helpers/experiments.js';

const gridSpec = (seeds: string | number) => `name: grid\ndatasets: [iris]\nmodels: [mlp]\nactivations: [lisht, relu]\nseeds: ${seeds}\nepochs: 1\nbatchSize: 8\nbackend: wasm\n`;

function refusal(text: string): UserError {
  try {
    parseSpecText(text, { name: 'grid.yaml' });
  } catch (err) {
    assert.ok(err instanceof UserError, String(err));
    return err;
  }
  return assert.fail('expected the spec to be refused');
}

test('issue 25 item 6: seeds: 100000000 is refused at once, naming the grid and the limit, exit 2', { timeout: 30_000 }, async () => {
  const err = refusal(gridSpec(100_000_000));
  assert.equal(err.exitCode, EXIT.USAGE);
  assert.match(err.message, /grid\.yaml:5:\d+: seeds: the grid would hold 200000000 trials \(1 data sets x 1 models x 100000000 seeds x 2 activations\); a spec may hold at most 10000/);

  const dir = tempDir('lisht-grid-');
  try {
    const spec = writeSpec(dir.path, 'grid.yaml', gridSpec(200_000));
    const r = await runCli(['run', spec, '--db', join(dir.path, 'r.db'), '--workers', '0']);
    assert.equal(r.code, EXIT.USAGE, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^lisht: error: invalid experiment spec .*grid\.yaml:5:\d+: seeds: the grid would hold 400000 trials/);
  } finally {
    dir.remove();
  }
});

test('issue 25 item 6: a grid of exactly the limit is accepted, and listed seeds are checked for repeats in one pass', { timeout: 60_000 }, () => {
  const spec = parseSpecText(gridSpec(MAX_GRID_TRIALS / 2));
  assert.equal(planTrials(spec).length, MAX_GRID_TRIALS);
  assert.match(refusal(gridSpec(MAX_GRID_TRIALS / 2 + 1)).message, /at most 10000/);
  const listed = [...Array.from({ length: 4000 }, (_, i) => i), 17];
  assert.match(refusal(gridSpec(`[${listed.join(', ')}]`)).message, /seeds\[4000\]: seed 17 is listed twice/);
});

test('issue 25 item 6: registering a grid again adds only its new trials, keeping the stored ones as they are', { timeout: 120_000 }, () => {
  const dir = tempDir('lisht-grid-reg-');
  const store = ResultStore.open(join(dir.path, 'r.db'));
  try {
    const first = parseSpecText(gridSpec(2000));
    const a = store.registerExperiment(first, specHash(first), planTrials(first));
    assert.equal(a.added, 4000);
    const again = store.registerExperiment(first, specHash(first), planTrials(first));
    assert.equal(again.added, 0);
    const grown = parseSpecText(gridSpec(2003));
    const b = store.registerExperiment(grown, specHash(grown), planTrials(grown));
    assert.deepEqual([b.experimentId, b.added], [a.experimentId, 6]);
  } finally {
    store.close();
    dir.remove();
  }
});

test('issue 25 item 6: PostgreSQL too: registering again adds only the new trials', { timeout: 120_000 }, async () => {
  const server = await startPostgres();
  try {
    const store = await PgStore.open(await server.createDatabase('grid'));
    try {
      const first = parseSpecText(gridSpec(500));
      const a = await store.registerExperiment(first, specHash(first), planTrials(first));
      assert.equal(a.added, 1000);
      assert.equal((await store.registerExperiment(first, specHash(first), planTrials(first))).added, 0);
      const grown = parseSpecText(gridSpec(502));
      const b = await store.registerExperiment(grown, specHash(grown), planTrials(grown));
      assert.deepEqual([b.experimentId, b.added], [a.experimentId, 4]);
    } finally {
      await store.close();
    }
  } finally {
    await server.remove();
  }
});
