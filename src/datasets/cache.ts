import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DatasetName } from './types.js';

/** Environment variable that sets the cache folder. */
export const DATA_DIR_ENV = 'LISHT_DATA_DIR';

/** The user's per-platform cache folder for this package (XDG on Linux). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') {
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'lisht', 'Cache');
  }
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'lisht');
  const xdg = env.XDG_CACHE_HOME;
  // XDG says relative values are to be ignored.
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'lisht');
}

/** The cache folder: the explicit one, else `$LISHT_DATA_DIR`, else the user's cache dir. */
export function resolveCacheDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? (env[DATA_DIR_ENV] || undefined) ?? defaultCacheDir(env);
  return resolve(chosen);
}

/** Where one data set's files live in the cache. */
export function datasetCacheDir(cacheDir: string, name: DatasetName): string {
  return join(cacheDir, name);
}
