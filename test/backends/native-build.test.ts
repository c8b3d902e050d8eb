/**
 * The optional build and the missing-addon path: these run whether or not the addon is built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/register.js';
import { openAddon } from '../../src/backends/native/addon.js';

test('the install script skips the addon without oneDNN headers, says why, and succeeds', () => {
  const empty = mkdtempSync(join(tmpdir(), 'lisht-no-dnnl-'));
  const r = spawnSync(process.execPath, ['scripts/build-native.mjs'], { encoding: 'utf8', env: { ...process.env, LISHT_DNNL_INCLUDE_DIRS: empty } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /skipped: oneDNN headers \(dnnl\.hpp\) not found/);
  assert.match(r.stdout, /libdnnl-dev/);
});

test('package.json runs the optional build as its install script, and ships what it needs', () => {
  // Compiled to dist/test/backends: the package root is three levels up.
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    files: string[];
  };
  // Without an install script npm would run `node-gyp rebuild` itself and fail without oneDNN.
  assert.equal(pkg.scripts.install, 'node scripts/build-native.mjs');
  assert.ok(pkg.dependencies['node-addon-api'], 'node-addon-api must be a dependency: the build needs it at install time');
  for (const f of ['native', 'binding.gyp', 'scripts']) assert.ok(pkg.files.includes(f), `files must include ${f}`);
});

test('a missing addon gives a reason that names libdnnl-dev', () => {
  const r = openAddon(join(tmpdir(), 'no-such-dir', 'lisht_native.node'));
  assert.ok('reason' in r);
  assert.match(r.reason, /not built/);
  assert.match(r.reason, /apt-get install libdnnl-dev/);
  assert.match(r.reason, /npm run build:native/);
});
