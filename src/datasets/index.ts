/**
 * Data sets for the experiments, loaded into compact typed arrays (no TensorFlow.js here).
 *
 *     const cifar = await loadDataset('cifar10', { data: 'cifar-10-binary.tar.gz' });
 *     cifar.train.images; // Uint8Array, 50000 x 32 x 32 x 3, NHWC, 0..255
 */
export * from './types.js';
export { loadDataset } from './load.js';
export { listDatasets, datasetInfo, isDatasetName, parseDatasetName, type DatasetInfo, type DatasetFile } from './registry.js';
export {
  downloadDataset,
  cacheStatus,
  MIRROR_ENV,
  type DownloadDatasetOptions,
  type CachedFile,
} from './download_dataset.js';
export { downloadFile, DEFAULT_STALL_TIMEOUT_MS, type DownloadFileOptions, type DownloadResult } from './download.js';
export { resolveCacheDir, defaultCacheDir, datasetCacheDir, DATA_DIR_ENV } from './cache.js';
export { createProgressReporter, type ProgressStream, type ProgressReporterOptions } from './progress.js';
export {
  stratifiedSplit,
  splitRows,
  takeRows,
  labelCounts,
  resolveSplitOptions,
  DEFAULT_TEST_FRACTION,
  DEFAULT_SPLIT_SEED,
  type SplitIndices,
} from './split.js';
export { createRng, permutation, randomInt, shuffleInPlace, type Rng } from '../random.js';
export { summarizeDataset, pixelMean, type DatasetSummary } from './summary.js';
export { tokenize, PAD_INDEX, OOV_INDEX, PAD_TOKEN, OOV_TOKEN } from './tokenizer.js';
export { EXIT, type ExitCode } from '../exit_codes.js';
export { CIFAR10_CLASS_NAMES, CIFAR100_CLASS_NAMES, CIFAR100_COARSE_CLASS_NAMES, CIFAR10_LAYOUT, CIFAR100_LAYOUT, type CifarLayout } from './cifar_layout.js';
/** CIFAR from bytes in memory (a fetch body, a dropped file): no Node built-in needed. */
export { parseCifarArchive } from './cifar_bytes.js';
export { MNIST_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES } from './mnist.js';
export { IRIS_CLASS_NAMES, IRIS_FEATURE_NAMES } from './iris.js';
export { CAR_CLASS_NAMES, CAR_FEATURE_NAMES } from './car_evaluation.js';
export {
  SENTIMENT140_CLASS_NAMES,
  DEFAULT_VOCABULARY_SIZE,
  DEFAULT_SEQUENCE_LENGTH,
} from './sentiment140.js';
