// Bundles the playground page (src/playground/web) with esbuild into dist/src/playground/site:
// index.html, style.css, app.js (the page) and cnn-worker.js (the Web Worker that trains the
// CNN), their shared code split into chunk-*.js, ready for `lisht playground` to serve (or
// `--build` to copy). Run by `npm run build` and by `prepack`, so the package ships the page.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'src', 'playground', 'web');
const out = join(root, 'dist', 'src', 'playground', 'site');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: [
    { in: join(web, 'main.ts'), out: 'app' },
    { in: join(web, 'cnn_worker.ts'), out: 'cnn-worker' },
  ],
  outdir: out,
  // Page and worker share TensorFlow.js and the models: one copy, in chunks both import.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
});
for (const file of ['index.html', 'style.css']) copyFileSync(join(web, file), join(out, file));
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
process.stderr.write(`playground: ${(bytes / 1e6).toFixed(2)} MB bundled into ${out}\n`);
