/**
 * The optional build and the missing-addon path: these run whether or not the addon is built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/register.js';
import { addonCandidates, openAddon, openFirstAddon } from '../../src/backends/native/addon.js';
import { REPO_ROOT } from '../helpers/env.js';

const BUILT = join(REPO_ROOT, 'build', 'Release', 'lisht_native.node');

/** A package root holding only the install script and, when given, a file as this platform's prebuild. */
function packageWithPrebuild(prebuild: (to: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'lisht-prebuild-'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(REPO_ROOT, 'scripts', 'build-native.mjs'), join(root, 'scripts', 'build-native.mjs'));
  const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  mkdirSync(dir, { recursive: true });
  prebuild(join(dir, 'lisht_native.node'));
  return root;
}

test('the install script skips the addon without oneDNN headers, says why, and succeeds', () => {
  const empty = mkdtempSync(join(tmpdir(), 'lisht-no-dnnl-'));
  // --from-source: a prebuild left in this checkout by `npm pack` must not make the test moot.
  const r = spawnSync(process.execPath, ['scripts/build-native.mjs', '--from-source'], { encoding: 'utf8', env: { ...process.env, LISHT_DNNL_INCLUDE_DIRS: empty } });
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

test('issue 21: the install script takes a prebuilt addon that loads and compiles nothing', { skip: existsSync(BUILT) ? false : 'the addon is not built here' }, () => {
  const root = packageWithPrebuild((to) => copyFileSync(BUILT, to));
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /using the prebuilt addon \(.*prebuilds\/linux-x64\/lisht_native\.node\); nothing to compile/);
  assert.equal(existsSync(join(root, 'build')), false, 'no build was started');
});

test('issue 21: a prebuilt addon that does not load falls through to the source build, and the skip says why', () => {
  const root = packageWithPrebuild((to) => writeFileSync(to, 'not an ELF file'));
  const empty = mkdtempSync(join(tmpdir(), 'lisht-no-dnnl-'));
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { encoding: 'utf8', env: { ...process.env, LISHT_DNNL_INCLUDE_DIRS: empty } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /skipped: the prebuilt addon does not load here \(.*\); oneDNN headers \(dnnl\.hpp\) not found/);
});

test('issue 21: the loader tries the prebuilt addon first, then the local build', () => {
  const [prebuilt, local] = addonCandidates('/pkg');
  assert.equal(prebuilt, `/pkg/prebuilds/${process.platform}-${process.arch}/lisht_native.node`);
  assert.equal(local, '/pkg/build/Release/lisht_native.node');
  const bogus = join(mkdtempSync(join(tmpdir(), 'lisht-bogus-')), 'lisht_native.node');
  writeFileSync(bogus, 'not an ELF file');
  const missing = join(tmpdir(), 'no-such-dir', 'lisht_native.node');
  // Neither loads: both reasons, the prebuilt one's first, then what to install.
  const none = openFirstAddon([bogus, missing]);
  assert.ok('reason' in none);
  assert.match(none.reason, /^the native addon failed to load: .* \(the prebuilt addon, .*lisht-bogus-.*\); the native addon is not built .*apt-get install libdnnl-dev/);
  if (existsSync(BUILT)) assert.ok('addon' in openFirstAddon([bogus, BUILT]), 'a failed prebuild falls through to the local build');
});
