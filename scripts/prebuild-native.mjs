// Pack-time step (build-package.mjs runs it): makes prebuilds/linux-x64/, the native addon as
// the package carries it, so users on Linux x64 with glibc need neither oneDNN nor a compiler.
//
// oneDNN is bundled as Debian's shared library copied beside the addon, not linked statically
// from a source build: a oneDNN build takes hours on this project's 2-core machines, and
// Debian's library is the one the addon is built and tested against. The addon carries the run
// path $ORIGIN as an old-style DT_RPATH (binding.gyp), which the dynamic linker also applies
// to the dependencies of libdnnl.so.2 (it has no run path of its own), so libdnnl's own
// dependencies (libOpenCL.so.1, libgomp.so.1) are found beside it too. Every library the addon
// needs beyond glibc, libstdc++ and libgcc is copied, with its Debian copyright file and, for
// oneDNN, the Apache-2.0 licence text.
//
// Needs the addon built (build/Release, rebuilt here when older than its sources) and so
// oneDNN's development files: `.ci/native-deps.sh` installs them. Elsewhere (or on another
// platform) it says why it made no prebuild and succeeds, unless LISHT_REQUIRE_PREBUILD=1.
// It writes to stderr only: `npm pack --json` prints its JSON on the stdout it shares.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = '[lisht] prebuilt native addon:';
const target = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const built = join(root, 'build', 'Release', 'lisht_native.node');

/** Libraries every glibc Linux with Node has: never copied. */
const SYSTEM = /^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s)\.so/;

function skip(reason) {
  rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
  console.error(`${prefix} none made: ${reason}.`);
  process.exit(process.env.LISHT_REQUIRE_PREBUILD === '1' ? 1 : 0);
}

// A stale prebuild must never ship: it goes first, whatever follows.
rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
if (process.platform !== 'linux' || process.arch !== 'x64') skip(`only linux-x64 is prebuilt, this is ${process.platform}-${process.arch}`);
if (process.report?.getReport().header.glibcVersionRuntime === undefined) skip('not a glibc system');

/** Newest modification time among the addon's sources. */
function sourcesTime() {
  const files = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

if (!existsSync(built) || statSync(built).mtimeMs < sourcesTime()) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--from-source'], { cwd: root, stdio: [0, 2, 2] });
  if (r.status !== 0 || !existsSync(built)) skip('the addon did not build (see above)');
}

/** name -> path of every library the addon loads, as the dynamic linker resolves them here. */
function dependencies(file) {
  const r = spawnSync('ldd', [file], { encoding: 'utf8' });
  if (r.status !== 0) skip(`ldd failed: ${r.stderr.trim()}`);
  const libs = new Map();
  for (const m of r.stdout.matchAll(/^\s*(\S+) => (\S+) \(/gm)) libs.set(m[1], m[2]);
  const missing = [...r.stdout.matchAll(/^\s*(\S+) => not found/gm)].map((m) => m[1]);
  if (missing.length > 0) skip(`the addon's libraries ${missing.join(', ')} are not found`);
  return libs;
}

/** The Debian package that installed `path`, its source package and version, or undefined off Debian. */
function debianPackage(path) {
  const owner = spawnSync('dpkg', ['-S', path], { encoding: 'utf8' });
  if (owner.status !== 0) return undefined;
  const name = owner.stdout.split(':')[0].trim();
  const [source, version] = spawnSync('dpkg-query', ['-W', '-f=${source:Package} ${Version}', name], { encoding: 'utf8' }).stdout.trim().split(' ');
  return { name, source, version };
}

mkdirSync(join(target, 'licenses'), { recursive: true });
copyFileSync(built, join(target, 'lisht_native.node'));
const notice = [
  'The native addon of lisht, prebuilt for linux-x64 (glibc), and the libraries it loads,',
  'copied from the system that packed it. The addon finds them here through its run path',
  '($ORIGIN). Their licences are in licenses/.',
  '',
];
for (const [name, path] of dependencies(built)) {
  if (SYSTEM.test(name)) continue;
  // realpath through the symlink chain: copy the file itself under the soname the addon asks for.
  copyFileSync(path, join(target, name));
  const pkg = debianPackage(spawnSync('readlink', ['-f', path], { encoding: 'utf8' }).stdout.trim());
  notice.push(`${name}: ${pkg ? `Debian package ${pkg.name} ${pkg.version} (its source: https://sources.debian.org/src/${pkg.source}/)` : path}`);
  if (pkg && existsSync(`/usr/share/doc/${pkg.name}/copyright`)) copyFileSync(`/usr/share/doc/${pkg.name}/copyright`, join(target, 'licenses', `${pkg.name}.copyright`));
}
// Debian's copyright files name their licences by reference to /usr/share/common-licenses:
// oneDNN's (Apache-2.0) and libgomp's (GPL-3 with the GCC Runtime Library Exception, whose
// text is in its copyright file) travel in full.
for (const licence of ['Apache-2.0', 'GPL-3']) {
  const path = `/usr/share/common-licenses/${licence}`;
  if (existsSync(path)) copyFileSync(path, join(target, 'licenses', licence));
}
writeFileSync(join(target, 'NOTICE'), `${notice.join('\n')}\n`);

// The prebuild must load on its own: in a fresh process, from where it now lies.
const check = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(join(target, 'lisht_native.node'))}).info()))`], { encoding: 'utf8' });
if (check.status !== 0) skip(`it does not load: ${check.stderr.trim().split('\n')[0]}`);
const size = readdirSync(target).reduce((sum, f) => sum + (statSync(join(target, f)).isFile() ? statSync(join(target, f)).size : 0), 0);
console.error(`${prefix} ${target} (${(size / 2 ** 20).toFixed(1)} MiB, oneDNN ${JSON.parse(check.stdout).dnnl}): ${readdirSync(target).join(', ')}`);
