import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { datasetCacheDir, resolveCacheDir } from './cache.js';
import { checkCachedFile, checkedAgainst, STRUCTURE_CHECKS } from './cache_check.js';
import { downloadFile } from './download.js';
import { datasetInfo, parseDatasetName, type DatasetFile } from './registry.js';
import type { DatasetName, DownloadProgress } from './types.js';
import { writeRecord } from './verified_record.js';

/** Environment variable naming a mirror that serves `<mirror>/<dataset>/<file>` instead of the publishers. */
export const MIRROR_ENV = 'LISHT_DATA_MIRROR';

export interface DownloadDatasetOptions {
  /** Default `$LISHT_DATA_DIR`, else the user's cache dir. */
  cacheDir?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Base URL serving `<mirror>/<dataset>/<file>`; default `$LISHT_DATA_MIRROR`, else the publishers. */
  mirror?: string;
  stallTimeoutMs?: number;
  /** Only these files (names as in `listDatasets()`); default all. */
  only?: string[];
  /** Download again even the files whose cached copy checks out. */
  force?: boolean;
  /** Told, before its download starts, that a cached file failed its check and is replaced. */
  onDamaged?: (damaged: { fileName: string; path: string; problem: string }) => void;
}

export interface CachedFile {
  fileName: string;
  path: string;
  /**
   * 'cached' when an intact copy was already there; 'replaced' when a copy was there but
   * damaged (or `force` was given) and a fresh one took its place.
   */
  status: 'downloaded' | 'cached' | 'replaced';
  url?: string;
  /** For 'replaced' files that failed their check: what was wrong with the old copy. */
  problem?: string;
}

/** Paths of a data set's files in the cache, and whether each is there. */
export async function cacheStatus(name: DatasetName, cacheDir?: string): Promise<{ file: DatasetFile; path: string; present: boolean }[]> {
  const dir = datasetCacheDir(resolveCacheDir(cacheDir), name);
  return Promise.all(
    datasetInfo(name).files.map(async (file) => {
      const path = join(dir, file.fileName);
      const present = await stat(path).then((s) => s.isFile(), () => false);
      return { file, path, present };
    }),
  );
}

function sourceUrls(name: DatasetName, file: DatasetFile, mirror: string | undefined): string[] {
  if (!mirror) return file.urls;
  return [`${mirror.replace(/\/+$/, '')}/${name}/${file.fileName}`];
}

/**
 * Puts a data set's files into the cache: each is downloaded to a temporary file, checked
 * (publisher's MD5, or structure where none is published) and only then renamed into place.
 * A file already in the cache is checked the same way (see `checkCachedFile`; cheap after the
 * first time) and kept if intact; a damaged one is reported through `onDamaged` and replaced
 * by the same rename, so the old copy stays until a good one is there to take its place.
 */
export async function downloadDataset(nameArg: string, options: DownloadDatasetOptions = {}): Promise<CachedFile[]> {
  const name = parseDatasetName(nameArg);
  const mirror = options.mirror ?? (process.env[MIRROR_ENV] || undefined);
  if (mirror && !/^https?:\/\//.test(mirror)) throw new UserError(`mirror must be an http(s) URL, got ${JSON.stringify(mirror)}`);
  const out: CachedFile[] = [];
  for (const { file, path, present } of await cacheStatus(name, options.cacheDir)) {
    if (options.only && !options.only.includes(file.fileName)) continue;
    let problem: string | undefined;
    if (present && !options.force) {
      const verdict = await checkCachedFile(name, file, path);
      if (verdict.intact) {
        out.push({ fileName: file.fileName, path, status: 'cached' });
        continue;
      }
      problem = verdict.problem;
      options.onDamaged?.({ fileName: file.fileName, path, problem });
    }
    const result = await downloadFile({
      urls: sourceUrls(name, file, mirror),
      destination: path,
      md5: file.md5,
      expectedSize: file.sizeBytes,
      verify: STRUCTURE_CHECKS[name],
      onProgress: options.onProgress,
      stallTimeoutMs: options.stallTimeoutMs,
    });
    // downloadFile has just checked these bytes: note it, so the next load need not hash them.
    await writeRecord(path, checkedAgainst(file));
    out.push({ fileName: file.fileName, path, status: present ? 'replaced' : 'downloaded', url: result.url, ...(problem && { problem }) });
  }
  return out;
}
