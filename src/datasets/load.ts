import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { checkCachedFile, problemOf } from './cache_check.js';
import { loadCarEvaluation } from './car_evaluation.js';
import { CIFAR10_LAYOUT, CIFAR100_LAYOUT, loadCifar } from './cifar.js';
import { cacheStatus, downloadDataset } from './download_dataset.js';
import { DamagedCacheError } from './errors.js';
import { loadIris } from './iris.js';
import { loadMnist } from './mnist.js';
import { parseDatasetName } from './registry.js';
import { loadSentiment140 } from './sentiment140.js';
import { resolveLocalData, type SourceContext } from './source.js';
import type { Dataset, DatasetFor, DatasetName, LoadOptions } from './types.js';

const T10K = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/**
 * The cached path to hand to the loader, downloading what is missing unless told not to. The
 * files already there are checked first (cheap after their first check), so a damaged copy is
 * reported as the cached copy, with the mend, before anything is downloaded or parsed.
 */
async function cachedPath(name: DatasetName, options: LoadOptions): Promise<string> {
  const wanted = (options.fromTestSet && (name === 'mnist' || name === 'fashion-mnist') ? T10K : undefined);
  const status = (await cacheStatus(name, options.cacheDir)).filter((s) => !wanted || wanted.includes(s.file.fileName));
  for (const s of status.filter((s) => s.present)) {
    const verdict = await checkCachedFile(name, s.file, s.path);
    if (!verdict.intact) throw new DamagedCacheError(s.path, name, verdict.problem);
  }
  const missing = status.filter((s) => !s.present);
  if (missing.length > 0) {
    if (options.download === false) {
      throw new UserError(
        `${name} is not in the cache (missing ${missing.map((m) => m.path).join(', ')}); ` +
          `run \`lisht datasets download ${name}\` or pass --data PATH`,
        EXIT.NO_INPUT,
      );
    }
    await downloadDataset(name, { cacheDir: options.cacheDir, onProgress: options.onProgress, only: wanted });
  }
  // IDX data sets are read from their folder, the others from their single file.
  return name === 'mnist' || name === 'fashion-mnist' ? dirname(status[0].path) : status[0].path;
}

async function loadFrom(name: DatasetName, path: string, context: SourceContext, options: LoadOptions): Promise<Dataset> {
  switch (name) {
    case 'cifar10':
      return loadCifar(path, CIFAR10_LAYOUT, context);
    case 'cifar100':
      return loadCifar(path, CIFAR100_LAYOUT, context);
    case 'mnist':
    case 'fashion-mnist':
      return loadMnist(path, name, context, { fromTestSet: options.fromTestSet, split: options.split });
    case 'iris':
      return loadIris(path, options.split);
    case 'car-evaluation':
      return loadCarEvaluation(path, options.split);
    case 'sentiment140':
      return loadSentiment140(path, options.text);
  }
}

/**
 * Loads a data set, like `keras.datasets.X.load_data()` but into compact typed arrays.
 *
 * With `data`, reads that local archive, file or folder (checked by checksum when it is the
 * publisher's file, else by structure); otherwise reads the cache, downloading into it first
 * when needed (unless `download: false`). Unknown names and bad files throw `UserError`s that
 * name the file and the problem.
 */
export async function loadDataset<N extends DatasetName>(name: N, options?: LoadOptions): Promise<DatasetFor<N>>;
export async function loadDataset(name: string, options?: LoadOptions): Promise<Dataset>;
export async function loadDataset(nameArg: string, options: LoadOptions = {}): Promise<Dataset> {
  const name = parseDatasetName(nameArg);
  if (options.data !== undefined) {
    const path = await resolveLocalData(options.data);
    return loadFrom(name, path, { fromCache: false, name }, options);
  }
  const path = await cachedPath(name, options);
  return loadFrom(name, path, { fromCache: true, name }, options).catch((err: unknown) => {
    // The checks above cannot see everything (a member deep inside a zip, a file changed
    // behind its note): bad data found while reading the cache is still named as the cached copy.
    if (err instanceof UserError && err.exitCode === EXIT.DATA && !(err instanceof DamagedCacheError)) {
      throw new DamagedCacheError(path, name, problemOf(path, err));
    }
    throw err;
  });
}
