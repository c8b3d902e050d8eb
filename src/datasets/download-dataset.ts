import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { datasetCacheDir, resolveCacheDir } from './cache.js';
import { verifyCarDownload } from './car-evaluation.js';
import { downloadFile } from './download.js';
import { verifyIrisDownload } from './iris.js';
import { datasetInfo, parseDatasetName, type DatasetFile } from './registry.js';
import { verifySentiment140Download } from './sentiment140.js';
import type { DatasetName, DownloadProgress } from './types.js';

/** Environment variable naming a mirror that serves `<mirror>/<dataset>/<file>` instead of the publishers. */
export const MIRROR_ENV = 'LISHT_DATA_MIRROR';

/** Structural checks of downloads whose publisher gives no checksum. */
const VERIFY: Partial<Record<DatasetName, (path: string) => Promise<void>>> = {
  iris: verifyIrisDownload,
  'car-evaluation': verifyCarDownload,
  sentiment140: verifySentiment140Download,
};

export interface DownloadDatasetOptions {
  /** Default `$LISHT_DATA_DIR`, else the user's cache dir. */
  cacheDir?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Base URL serving `<mirror>/<dataset>/<file>`; default `$LISHT_DATA_MIRROR`, else the publishers. */
  mirror?: string;
  stallTimeoutMs?: number;
  /** Only these files (names as in `listDatasets()`); default all. */
  only?: string[];
}

export interface CachedFile {
  fileName: string;
  path: string;
  /** 'cached' when it was already there. */
  status: 'downloaded' | 'cached';
  url?: string;
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
 * Files already in the cache are left alone.
 */
export async function downloadDataset(nameArg: string, options: DownloadDatasetOptions = {}): Promise<CachedFile[]> {
  const name = parseDatasetName(nameArg);
  const mirror = options.mirror ?? (process.env[MIRROR_ENV] || undefined);
  if (mirror && !/^https?:\/\//.test(mirror)) throw new UserError(`mirror must be an http(s) URL, got ${JSON.stringify(mirror)}`);
  const out: CachedFile[] = [];
  for (const { file, path, present } of await cacheStatus(name, options.cacheDir)) {
    if (options.only && !options.only.includes(file.fileName)) continue;
    if (present) {
      out.push({ fileName: file.fileName, path, status: 'cached' });
      continue;
    }
    const result = await downloadFile({
      urls: sourceUrls(name, file, mirror),
      destination: path,
      md5: file.md5,
      expectedSize: file.sizeBytes,
      verify: VERIFY[name],
      onProgress: options.onProgress,
      stallTimeoutMs: options.stallTimeoutMs,
    });
    out.push({ fileName: file.fileName, path, status: 'downloaded', url: result.url });
  }
  return out;
}
