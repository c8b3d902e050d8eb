/**
 * Where the playground's files are: the page bundled by `scripts/build-playground.mjs` (next
 * to this module once compiled, in `dist/src/playground/site`), and tfjs-backend-wasm's
 * `.wasm` builds, served from the installed package rather than copied into ours.
 */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { makeDir } from '../make_dir.js';
import { siteMark } from './paths.js';

/** The built page's folder. */
export function siteDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'site');
}

/** tfjs-backend-wasm's dist folder, holding its three `.wasm` builds. */
export function wasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

/**
 * Writes the static site (page and `.wasm` files) into `dir`, for any static host, its page
 * marked static (`<meta name="lisht-site" content="static">`). Refuses a
 * folder that exists and is not empty, so nothing of the user's is overwritten.
 */
export async function writeSite(dir: string): Promise<string[]> {
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new UserError(`cannot write the playground to ${dir}: ${err.code === 'ENOTDIR' ? 'it is a file' : err.message}`, EXIT.CANT_CREATE);
  });
  if (existing.length > 0) throw new UserError(`cannot write the playground to ${dir}: the folder is not empty (choose a new or empty one)`, EXIT.CANT_CREATE);
  const site = siteDir();
  const siteFiles = await readdir(site).catch(() => {
    throw new UserError(`the playground page is not built (${site} missing): run npm run build`, EXIT.SOFTWARE);
  });
  try {
    await makeDir(join(dir, 'wasm'));
    await cp(site, dir, { recursive: true });
    // The page asks a static host for no data archive (which would only log a 404) and says what it is.
    const index = join(dir, 'index.html');
    await writeFile(index, (await readFile(index, 'utf8')).replace(siteMark('server'), siteMark('static')));
    const wasm = (await readdir(wasmDir())).filter((f) => f.endsWith('.wasm'));
    for (const f of wasm) await cp(join(wasmDir(), f), join(dir, 'wasm', f));
    return [...siteFiles, ...wasm.map((f) => `wasm/${f}`)];
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot write the playground to ${dir}: ${(err as Error).message}`, EXIT.CANT_CREATE);
  }
}
