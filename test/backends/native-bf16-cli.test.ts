/**
 * `--precision` on the command line: the refusal on a CPU without AVX512-BF16 (simulated with
 * LISHT_SIMULATE_NO_BF16=1, which caps oneDNN below avx512_core_bf16) and its override, `lisht
 * bench --json`, and the precision recorded as part of each trial's configuration, in a
 * compare folder's summary.json and store and in `lisht run`'s SQLite and PostgreSQL stores.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/exit_codes.js';
import { loadNativeAddon, nativeAddonUnavailableReason } from '../../src/backends/native/index.js';
import { openStore } from '../../src/experiments/open_store.js';
import { runCli, tempDir } from '../helpers/env.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { cifarFixture, irisPath, writeSpec } from '../experiments/helpers/experiments.js';

const unavailable = nativeAddonUnavailableReason();
const skipNoBf16 = unavailable ?? (!loadNativeAddon().bf16Support().native ? 'this CPU has no AVX512-BF16' : false);
const SIMULATE = { LISHT_SIMULATE_NO_BF16: '1' };
const BENCH = ['bench', '--model', 'seed-cnn', '--activation', 'relu', '--backend', 'native', '--batch-size', '8', '--steps', '2', '--warmup', '1'];

/** The precision in each stored trial's configuration (absent: fp32), by activation. */
async function storedPrecisions(db: string, experiment: string): Promise<Record<string, string>> {
  const store = await openStore(db, { readonly: true });
  try {
    const e = await store.experiment(experiment);
    assert.ok(e, `experiment ${experiment} in ${db}`);
    const trials = await store.trials(e.id);
    return Object.fromEntries(trials.map((t) => [`${t.config.activation}:${t.status}`, t.config.precision ?? 'fp32']));
  } finally {
    await store.close();
  }
}

describe('--precision bf16 on a CPU without bf16 (simulated)', { skip: unavailable }, () => {
  test('bench, compare and run refuse it, naming what is missing and the way around, before anything starts', async () => {
    const dir = tempDir('lisht-bf16-refuse-');
    try {
      const out = join(dir.path, 'out');
      const spec = writeSpec(dir.path, 'bf16.yaml', 'name: bf16-refused\ndatasets: [iris]\nmodels: [{ name: mlp, hiddenUnits: [8] }]\nactivations: [relu]\nseeds: 1\nepochs: 1\nbatchSize: 16\nbackend: native\nprecision: bf16\n');
      const db = join(dir.path, 'refused.db');
      for (const args of [
        [...BENCH, '--precision', 'bf16'],
        ['compare', '--data', cifarFixture(dir.path), '--activations', 'relu', '--epochs', '1', '--backend', 'native', '--precision', 'bf16', '--out', out],
        ['run', spec, '--db', db, '--data', `iris=${irisPath(dir.path)}`],
      ]) {
        const r = await runCli(args, SIMULATE);
        assert.equal(r.code, EXIT.UNAVAILABLE, `${args[0]}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /no AVX512-BF16 instructions \(cpuid flag avx512_bf16\)/);
        assert.match(r.stderr, /its instruction set here is \w+, bf16 needs avx512_core_bf16 or above/);
        assert.match(r.stderr, /--allow-emulated-bf16/);
        assert.doesNotMatch(r.stdout, /Epoch|ms\/step/, 'nothing ran');
      }
      assert.ok(!existsSync(out), 'compare left no folder behind');
      assert.ok(!existsSync(db), 'run created no database');
    } finally {
      dir.remove();
    }
  });

  test('--allow-emulated-bf16 runs it (oneDNN emulates bf16) and says so in the result', async () => {
    const r = await runCli([...BENCH, '--precision', 'bf16', '--allow-emulated-bf16', '--json'], SIMULATE);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim().split('\n').at(-1)!).precision, 'bf16');
  });

  test('bf16 on a backend other than native is a usage error', async () => {
    const r = await runCli(['bench', '--model', 'mlp', '--dataset', 'iris', '--backend', 'cpu', '--precision', 'bf16', '--steps', '1', '--warmup', '1']);
    assert.equal(r.code, EXIT.USAGE, r.stderr);
    assert.match(r.stderr, /--precision bf16 runs on the native backend only, not 'cpu'/);
  });
});

describe('--precision bf16 where the CPU has it', { skip: skipNoBf16 }, () => {
  let server: PgServer;
  const dir = tempDir('lisht-bf16-');
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.remove();
    dir.remove();
  });

  test('lisht bench --precision bf16 --json prints one JSON line with precision "bf16" and ms_per_step', async () => {
    const r = await runCli([...BENCH, '--precision', 'bf16', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const result = JSON.parse(lines[0]!);
    assert.equal(result.precision, 'bf16');
    assert.equal(result.backend, 'native');
    assert.ok(typeof result.ms_per_step === 'number' && result.ms_per_step > 0);
  });

  test("compare --precision bf16 records it in summary.json and in the run's store; fp32 is the default", async () => {
    const data = cifarFixture(dir.path);
    const common = ['compare', '--data', data, '--activations', 'relu', '--epochs', '1', '--batch-size', '25', '--seed', '3', '--backend', 'native', '--no-gradient-flow'];
    const bf16 = join(dir.path, 'bf16');
    const r = await runCli([...common, '--precision', 'bf16', '--out', bf16]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(readFileSync(join(bf16, 'summary.json'), 'utf8'));
    assert.equal(summary.options.precision, 'bf16');
    assert.equal(summary.results[0].status, 'done');
    assert.deepEqual(await storedPrecisions(join(bf16, 'results.db'), 'compare'), { 'relu:done': 'bf16' });
    const fp32 = join(dir.path, 'fp32');
    const plain = await runCli([...common, '--out', fp32]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(JSON.parse(readFileSync(join(fp32, 'summary.json'), 'utf8')).options.precision, 'fp32');
    assert.deepEqual(await storedPrecisions(join(fp32, 'results.db'), 'compare'), { 'relu:done': 'fp32' });
    // The precision is the run's: a resume may not change it.
    const resumed = await runCli(['compare', '--resume', fp32, '--precision', 'bf16']);
    assert.equal(resumed.code, EXIT.USAGE);
    assert.match(resumed.stderr, /--precision bf16 \(the run has fp32\)/);
  });

  test("lisht run: the spec's precision and --precision are part of each trial's configuration, in SQLite and PostgreSQL", async () => {
    const iris = irisPath(dir.path);
    const spec = writeSpec(dir.path, 'mixed.yaml', 'name: bf16-run\ndatasets: [iris]\nmodels: [{ name: mlp, hiddenUnits: [8] }]\nactivations: [lisht]\nseeds: 1\nepochs: 2\nbatchSize: 16\nbackend: native\nprecision: bf16\n');
    const sqlite = join(dir.path, 'runs.db');
    const url = await server.createDatabase('bf16');
    for (const db of [sqlite, url]) {
      const r = await runCli(['run', spec, '--db', db, '--data', `iris=${iris}`]);
      assert.equal(r.code, 0, r.stderr);
      // The same spec at fp32: other trials beside the bf16 ones, not the same ones again.
      const again = await runCli(['run', spec, '--db', db, '--data', `iris=${iris}`, '--precision', 'fp32']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /1 trials \(1 new\)/);
      const store = await openStore(db, { readonly: true });
      try {
        const e = (await store.experiment('bf16-run'))!;
        const trials = await store.trials(e.id);
        assert.deepEqual(trials.map((t) => [t.status, t.config.precision ?? 'fp32']).sort(), [['done', 'bf16'], ['done', 'fp32']]);
      } finally {
        await store.close();
      }
    }
  });
});
