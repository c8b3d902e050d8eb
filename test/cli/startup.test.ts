/**
 * Issue 21 item 4: the command line loads TensorFlow.js only for commands that use it. The
 * catalog that `lisht --help` lists from (without loading any command module) says what the
 * modules say; the commands that start without TensorFlow.js reach none of it, statically
 * (their compiled import graphs) and at run time (tfjs-core's global engine never appears).
 * How fast they start is measured by bench/cli-start.ts, not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command, Help } from 'commander';
import { commandOf, COMMANDS, WITHOUT_TFJS, type CommandName } from '../../src/cli/commands/catalog.js';
import { LOADERS } from '../../src/cli/commands/index.js';
import { openStore } from '../../src/experiments/open_store.js';
import { REPO_ROOT } from '../helpers/env.js';

const DIST = join(REPO_ROOT, 'dist', 'src');

test('issue 21: the catalog lists every command with the term and description its module registers', async () => {
  const help = new Help();
  assert.deepEqual(Object.keys(LOADERS).sort(), Object.keys(COMMANDS).sort());
  for (const [name, load] of Object.entries(LOADERS)) {
    const program = new Command('lisht');
    (await load()).register(program);
    const [command] = program.commands;
    assert.equal(command?.name(), name);
    assert.equal(help.subcommandTerm(command!), COMMANDS[name as CommandName].term, `${name}: term`);
    assert.equal(command!.description(), COMMANDS[name as CommandName].description, `${name}: description`);
  }
});

test('issue 21: the command a command line runs, or asks help for', () => {
  assert.equal(commandOf(['results', '--db', 'x.db']), 'results');
  assert.equal(commandOf(['--help']), undefined);
  assert.equal(commandOf(['help', 'compare']), 'compare');
  assert.equal(commandOf(['resuls']), undefined);
  assert.equal(commandOf(['constructor']), undefined, 'only own names of the catalog');
});

/** The first chain of static imports from `file` that reaches an @tensorflow package, or undefined. */
function tfjsChain(file: string, seen = new Set<string>()): string[] | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  // Static imports and re-exports only (no parenthesis before the specifier): a dynamic
  // import() runs when its code does.
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";(]*?['"]([^'"]+)['"]/g)) {
    const spec = m[1]!;
    if (spec.startsWith('@tensorflow/')) return [file, spec];
    if (spec.startsWith('.')) {
      const chain = tfjsChain(resolve(dirname(file), spec), seen);
      if (chain) return [file, ...chain];
    }
  }
  return undefined;
}

test('issue 21: the entry, the catalog and the quick commands import no TensorFlow.js, directly or through any module', () => {
  const rel = (f: string) => f.replace(`${DIST}/`, '');
  for (const module of ['cli/main.js', ...WITHOUT_TFJS.map((c) => `cli/commands/${c}.js`)]) {
    const chain = tfjsChain(join(DIST, module));
    assert.equal(chain, undefined, `${module} reaches TensorFlow.js: ${chain?.map(rel).join(' -> ')}`);
  }
  // The check can fail: a command that trains does reach it.
  assert.ok(tfjsChain(join(DIST, 'cli/commands/compare.js')), 'compare reaches TensorFlow.js');
});

/** Runs the CLI with `args`; says whether tfjs-core was loaded (it creates its global engine on import). */
function runLoaded(args: string[], cwd: string): { status: number | null; stdout: string; tfjs: boolean } {
  const probe = join(cwd, 'probe.mjs');
  writeFileSync(probe, `process.on('exit', () => process.stderr.write('\\ntfjs loaded: ' + ('_tfengine' in globalThis) + '\\n'));\nawait import(${JSON.stringify(join(DIST, 'cli', 'main.js'))});\n`);
  const r = spawnSync(process.execPath, [probe, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LISHT_DATA_DIR: join(cwd, 'data') } });
  const flag = /tfjs loaded: (true|false)/.exec(r.stderr);
  assert.ok(flag, `no probe output: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, tfjs: flag[1] === 'true' };
}

test('issue 21: `lisht --help`, `lisht results` and `lisht datasets` run without loading TensorFlow.js; `lisht summary` loads it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lisht-start-'));
  const db = join(dir, 'empty.db');
  await (await openStore(db)).close();
  const help = runLoaded(['--help'], dir);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /results \[options\] \[run\] +Print the results/);
  assert.equal(help.tfjs, false, 'lisht --help loaded TensorFlow.js');
  const results = runLoaded(['results', '--db', db], dir);
  assert.equal(results.status, 0);
  assert.equal(results.tfjs, false, 'lisht results loaded TensorFlow.js');
  const datasets = runLoaded(['datasets', 'list'], dir);
  assert.equal(datasets.status, 0);
  assert.match(datasets.stdout, /^cifar10 /m);
  assert.equal(datasets.tfjs, false, 'lisht datasets loaded TensorFlow.js');
  const summary = runLoaded(['summary', '--model', 'seed-cnn'], dir);
  assert.equal(summary.status, 0);
  assert.match(summary.stdout, /Total params: 42,442/);
  assert.equal(summary.tfjs, true, 'the probe sees TensorFlow.js where a command uses it');
});
