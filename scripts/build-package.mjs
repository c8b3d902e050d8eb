// npm "prepack" step: compiles what the package ships, src/ alone (tsconfig.build.json), into
// dist/src, so that a tarball packed from a clean checkout has the files its main, types and
// bin point at, and no tests or benchmarks; then the playground's page (build-playground.mjs)
// and the prebuilt native addon (prebuild-native.mjs).
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A fresh dist/src: files of modules deleted since the last build must not ship. The dev
// build's incremental record goes too, or `npm run build` would think dist/src still current.
rmSync(join(root, 'dist', 'src'), { recursive: true, force: true });
rmSync(join(root, 'dist', '.tsbuildinfo'), { force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
// The playground's page, bundled: the package ships it built (esbuild is a dev dependency).
const page = spawnSync(process.execPath, [join(root, 'scripts', 'build-playground.mjs')], { cwd: root, stdio: 'inherit' });
if (page.status !== 0) process.exit(page.status ?? 1);
// The native addon for linux-x64 with oneDNN beside it (prebuild-native.mjs), where it builds.
const prebuild = spawnSync(process.execPath, [join(root, 'scripts', 'prebuild-native.mjs')], { cwd: root, stdio: 'inherit' });
process.exit(prebuild.status ?? 1);
