// npm "install" step: uses the prebuilt addon the package carries for this platform
// (prebuilds/<platform>-<arch>/, see prebuild-native.mjs) when it loads here, as node-gyp-build
// does; otherwise builds the optional oneDNN addon (build/Release/lisht_native.node) when
// oneDNN's headers are on this machine, and otherwise says why it was skipped and succeeds, so
// `npm ci` works everywhere; `--backend native` then reports what to install.
// `--from-source` (npm run build:native) always compiles: a developer changing native/ wants
// the new build, not an older prebuild.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const prefix = '[lisht] native backend:';
/** Why a prebuilt addon present here was not used, prefixed to a skip's reason. */
let prebuiltProblem = '';

// LISHT_DNNL_INCLUDE_DIRS (colon-separated) replaces the search list, e.g. for a oneDNN in a
// non-standard prefix (add its lib directory to LIBRARY_PATH too).
function headerDirs() {
  if (process.env.LISHT_DNNL_INCLUDE_DIRS !== undefined) return process.env.LISHT_DNNL_INCLUDE_DIRS.split(':').filter(Boolean);
  const dirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include'];
  for (const v of ['CPATH', 'CPLUS_INCLUDE_PATH']) dirs.push(...(process.env[v] ?? '').split(':').filter(Boolean));
  return dirs;
}

function skip(reason) {
  console.log(`${prefix} skipped: ${prebuiltProblem}${reason}. The 'cpu' and 'wasm' backends work without it.`);
  process.exit(0);
}

if (process.env.LISHT_SKIP_NATIVE === '1') skip('LISHT_SKIP_NATIVE=1');

// "Usable" means it loads: in a child process, so a crash or a missing library cannot take the
// install down, and a prebuild for another libc falls through to compiling.
const prebuilt = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'lisht_native.node');
if (!process.argv.includes('--from-source') && existsSync(prebuilt)) {
  const check = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(prebuilt)})`], { encoding: 'utf8' });
  if (check.status === 0) {
    console.log(`${prefix} using the prebuilt addon (${prebuilt}); nothing to compile`);
    process.exit(0);
  }
  prebuiltProblem = `the prebuilt addon does not load here (${(check.stderr.split('\n').find((l) => l.startsWith('Error')) ?? check.stderr.trim().split('\n')[0]).trim()}); `;
}
if (!headerDirs().some((d) => existsSync(join(d, 'dnnl.hpp')) || existsSync(join(d, 'oneapi', 'dnnl', 'dnnl.hpp')))) {
  skip('oneDNN headers (dnnl.hpp) not found; install them with `apt-get install libdnnl-dev` (Debian/Ubuntu), then `npm run build:native`');
}

// npm exports the path of its bundled node-gyp to scripts; outside npm, look for npm's copy.
function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  const npmDir = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  candidates.push(npmDir);
  return candidates.find((p) => p && existsSync(p));
}

const gyp = nodeGyp();
if (!gyp) skip('node-gyp not found (it ships with npm; run this through `npm run build:native`)');
try {
  require.resolve('node-addon-api');
} catch {
  skip('node-addon-api is not installed');
}

// Node's own headers are used when they are installed next to it, so no download is needed.
const args = [gyp, 'rebuild'];
const nodeDir = join(dirname(process.execPath), '..');
if (existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodeDir}`);
console.log(`${prefix} building with oneDNN (${args.slice(1).join(' ')})`);
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  // A failed optional build must not fail the install: the package works without it.
  console.log(`${prefix} build failed (exit ${r.status}); continuing without it. Rerun \`npm run build:native\` to see why.`);
  process.exit(process.env.LISHT_REQUIRE_NATIVE === '1' ? 1 : 0);
}
// The loader tries prebuilds/ first: one left here by an earlier `npm pack` (or one that does
// not load on this machine) would shadow the addon just built from the current sources.
if (existsSync(join(root, 'prebuilds'))) {
  rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
  console.log(`${prefix} removed prebuilds/, older than this build (npm pack makes it again)`);
}
console.log(`${prefix} built build/Release/lisht_native.node`);
