/**
 * The shapes of loaded data sets. Everything is a plain typed array so that a full data set
 * costs what its bytes cost (CIFAR-10 train: 50,000 x 32 x 32 x 3 bytes = 150 MB) and can be
 * handed to TensorFlow.js (or anything else) one batch at a time.
 */

/** Every data set this package knows. */
export const DATASET_NAMES = [
  'cifar10',
  'cifar100',
  'mnist',
  'fashion-mnist',
  'iris',
  'car-evaluation',
  'sentiment140',
] as const;

export type DatasetName = (typeof DATASET_NAMES)[number];
export type DatasetKind = 'image' | 'tabular' | 'text';
export type ImageDatasetName = 'cifar10' | 'cifar100' | 'mnist' | 'fashion-mnist';
export type TabularDatasetName = 'iris' | 'car-evaluation';
export type TextDatasetName = 'sentiment140';

/** Integer class labels, one per example. */
export type Labels = Uint8Array | Int32Array;

/** One split of an image data set. */
export interface ImageSplit {
  /** `count` images in NHWC order, 0..255 (divide by 255 per batch, not here). */
  images: Uint8Array;
  labels: Labels;
  count: number;
  /** CIFAR-100 only: the 20 superclass labels. */
  coarseLabels?: Uint8Array;
}

/** One split of a tabular data set. */
export interface TabularSplit {
  /** Row-major, `count` x `featureCount`. */
  features: Float32Array;
  labels: Labels;
  count: number;
}

/** One split of a text data set. */
export interface TextSplit {
  /** Row-major, `count` x `sequenceLength` word indices: 0 is padding, 1 is out-of-vocabulary. */
  sequences: Int32Array;
  labels: Labels;
  count: number;
}

/**
 * How the train/test split was made: the publisher's own, or a deterministic stratified split
 * made here (of all rows, or of the official test set only).
 */
export type SplitInfo =
  | { method: 'official' }
  | { method: 'stratified'; from: 'all' | 'official-test'; testFraction: number; seed: number };

/**
 * Where the data came from and how far they were checked:
 * - `checksum`: the file matches the publisher's checksum;
 * - `content-checksum`: the decompressed contents match the published checksum of the
 *   uncompressed files (a re-compressed copy of the official data);
 * - `structure`: record sizes, counts and label ranges were checked, nothing more (local files
 *   that are not the official ones, and data sets whose publisher gives no checksum).
 */
export interface DatasetSource {
  path: string;
  verification: 'checksum' | 'content-checksum' | 'structure';
  /** Human-readable remarks (e.g. rows dropped, why a checksum did not apply). */
  notes: string[];
}

interface DatasetBase<N extends DatasetName> {
  name: N;
  classNames: string[];
  split: SplitInfo;
  source: DatasetSource;
}

export interface ImageDataset extends DatasetBase<ImageDatasetName> {
  kind: 'image';
  /** `[height, width, channels]` of one image. */
  imageShape: [number, number, number];
  train: ImageSplit;
  test: ImageSplit;
  /** CIFAR-100 only: names of the 20 superclasses. */
  coarseClassNames?: string[];
}

export interface TabularDataset extends DatasetBase<TabularDatasetName> {
  kind: 'tabular';
  /** One name per column of `features` (one-hot columns are named `feature=value`). */
  featureNames: string[];
  featureCount: number;
  train: TabularSplit;
  test: TabularSplit;
}

export interface TextDataset extends DatasetBase<TextDatasetName> {
  kind: 'text';
  /** `vocabulary[i]` is the word with index i; 0 is `<pad>`, 1 is `<oov>`. */
  vocabulary: string[];
  sequenceLength: number;
  train: TextSplit;
  test: TextSplit;
}

export type Dataset = ImageDataset | TabularDataset | TextDataset;

/** The dataset type `loadDataset(name)` resolves to. */
export type DatasetFor<N extends DatasetName> = N extends ImageDatasetName
  ? ImageDataset
  : N extends TabularDatasetName
    ? TabularDataset
    : TextDataset;

/** Progress of one file download. */
export interface DownloadProgress {
  /** File name in the cache. */
  file: string;
  url: string;
  receivedBytes: number;
  /** From Content-Length, else the recorded size, else undefined. */
  totalBytes: number | undefined;
  done: boolean;
}

/** Options of a split made here (Iris, Car Evaluation, MNIST from its test set). */
export interface SplitOptions {
  /** Share of each class that goes to the test split; default 0.2. */
  testFraction?: number;
  /** Seed of the shuffle; default 42. */
  seed?: number;
}

/** Options of the Sentiment140 tokenizer and sequences. */
export interface TextOptions {
  /** Number of words kept (most frequent in the training set); default 20000. */
  vocabularySize?: number;
  /** Length of every sequence; default 40. */
  sequenceLength?: number;
  /** Where padding goes when a tweet is shorter; default 'pre' (as Keras's pad_sequences). */
  padding?: 'pre' | 'post';
  /** Which end is cut when a tweet is longer; default 'pre' (as Keras's pad_sequences). */
  truncating?: 'pre' | 'post';
}

/** Options of `loadDataset`. */
export interface LoadOptions {
  /** A local archive, file or extracted folder to read instead of the cache. */
  data?: string;
  /** Cache folder; default `$LISHT_DATA_DIR`, else the user's cache dir. */
  cacheDir?: string;
  /** Download into the cache when the files are missing; default true. Ignored with `data`. */
  download?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  /** Split options for data sets without an official split. */
  split?: SplitOptions;
  /**
   * MNIST/Fashion-MNIST: use only the official test files (t10k) and split them with `split`.
   * For folders that hold only the t10k files.
   */
  fromTestSet?: boolean;
  /** Sentiment140 only. */
  text?: TextOptions;
}
