/**
 * Issue 25 item 9, the spec's part: inputs that crashed with a stack trace (exit 70) get one
 * line and exit 2: YAML with nested aliases, an mlp whose widths exhaust the backend's memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../../src/register.js';
import { UserError } from '../../src/errors.js';
import { EXIT } from '../../src/exit_codes.js';
import { parseSpecText } from '../../src/experiments/spec.js';
import { runCli, tempDir } from '../helpers/env.js';
import { writeSpec } from './helpers/experiments.js';

function refusal(text: string): UserError {
  try {
    parseSpecText(text, { name: 's.yaml' });
  } catch (err) {
    assert.ok(err instanceof UserError, String(err));
    return err;
  }
  return assert.fail('expected the spec to be refused');
}

/** "Billion laughs": each level doubles the one below, by aliases. */
function nestedAliases(levels: number): string {
  const lines = ['a0: &a0 [x, x]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [*a${i - 1}, *a${i - 1}]`);
  return `${lines.join('\n')}\nname: laughs\n`;
}

test('issue 25 item 9: YAML with nested aliases is an invalid spec (exit 2, one line), not a crash', async () => {
  const err = refusal(nestedAliases(30));
  assert.equal(err.exitCode, EXIT.USAGE);
  assert.match(err.message, /^invalid experiment spec s\.yaml: .*[Aa]lias/);
  const dir = tempDir('lisht-spec-alias-');
  try {
    const r = await runCli(['run', writeSpec(dir.path, 'laughs.yaml', nestedAliases(30)), '--db', join(dir.path, 'r.db')]);
    assert.equal(r.code, EXIT.USAGE, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    dir.remove();
  }
});

test('issue 25 item 9: hiddenUnits: [100000000] is refused before a model is built, in a spec and in `summary`', async () => {
  const spec = `name: wide\ndatasets: [iris]\nmodels:\n  - { name: mlp, hiddenUnits: [100000000] }\nactivations: [relu]\nseeds: 1\nepochs: 1\nbatchSize: 8\n`;
  const err = refusal(spec);
  assert.equal(err.exitCode, EXIT.USAGE);
  assert.match(err.message, /s\.yaml:4:\d+: models\[0\]\.hiddenUnits: hidden units \[100000000\] make 8\.00e\+8 weights; an mlp may have at most 134217728/);
  const r = await runCli(['summary', '--model', 'mlp', '--dataset', 'iris', '--hidden-units', '100000000']);
  assert.equal(r.code, EXIT.USAGE, r.stderr);
  assert.match(r.stderr, /^lisht: error: hidden units \[100000000\] make .* weights; an mlp may have at most/);
  const dir = tempDir('lisht-spec-wide-');
  try {
    const c = await runCli(['compare', '--dataset', 'iris', '--model', 'mlp', '--hidden-units', '100000000', '--activations', 'relu', '--epochs', '1', '--out', join(dir.path, 'run')]);
    assert.equal(c.code, EXIT.USAGE, c.stderr);
    assert.match(c.stderr, /^lisht: error: hidden units \[100000000\] make .* weights/);
  } finally {
    dir.remove();
  }
});
