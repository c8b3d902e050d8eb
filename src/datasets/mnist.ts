import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { DamagedCacheError, dataError, fsInputError, inputError } from './errors.js';
import { gunzipFile, isGzip, parseIdx } from './idx.js';
import { datasetInfo } from './registry.js';
import { md5Hex, readWholeFile, type SourceContext } from './source.js';
import { resolveSplitOptions, stratifiedSplit, takeRows } from './split.js';
import type { DatasetSource, ImageDataset, ImageSplit, SplitOptions } from './types.js';

export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface MnistOptions {
  /** Build train and test from the official test set only (for folders without the train files). */
  fromTestSet?: boolean;
  split?: SplitOptions;
}

type Verification = DatasetSource['verification'];
const STRENGTH: Verification[] = ['structure', 'content-checksum', 'checksum'];

/** The names a file may have in a folder: gzipped, plain, or with the dot some mirrors use. */
function candidates(base: string): string[] {
  return [`${base}.gz`, base, base.replace(/-(idx\d)/, '.$1')];
}

async function findFile(dir: string, base: string): Promise<string | undefined> {
  for (const name of candidates(base)) {
    const path = join(dir, name);
    const found = await stat(path).then(
      (s) => s.isFile(),
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw fsInputError(path, err);
      },
    );
    if (found) return path;
  }
  return undefined;
}

interface LoadedIdx {
  dims: number[];
  data: Uint8Array;
  verification: Verification;
}

async function readIdx(
  path: string,
  rank: number,
  name: 'mnist' | 'fashion-mnist',
  context: SourceContext,
  notes: string[],
): Promise<LoadedIdx> {
  const raw = await readWholeFile(path);
  const gz = isGzip(raw);
  const content = gz ? await gunzipFile(path, raw) : raw;
  const { dims, data } = parseIdx(path, content, rank);
  const fileName = basename(path).replace(/\.gz$/, '').replace(/\.(idx\d)/, '-$1');
  const official = datasetInfo(name).files.find((f) => f.fileName === `${fileName}.gz`);
  let verification: Verification = 'structure';
  if (official && gz && md5Hex(raw) === official.md5) verification = 'checksum';
  else if (official && md5Hex(content) === official.contentMd5) {
    verification = 'content-checksum';
    if (gz) notes.push(`${path}: re-compressed copy of the official file (the decompressed contents match)`);
  } else if (context.fromCache) {
    throw new DamagedCacheError(path, name, 'it matches neither the published MD5 of the file nor of its contents');
  } else {
    notes.push(`${path}: not the official file; its IDX header, size and labels were checked instead`);
  }
  return { dims, data, verification };
}

async function readSplit(
  dir: string,
  images: string,
  labels: string,
  variant: 'mnist' | 'fashion-mnist',
  context: SourceContext,
  notes: string[],
): Promise<{ split: ImageSplit; verification: Verification; shape: [number, number, number] }> {
  const img = await readIdx(images, 3, variant, context, notes);
  const lab = await readIdx(labels, 1, variant, context, notes);
  const [count, height, width] = img.dims;
  if (lab.dims[0] !== count) {
    throw dataError(dir, `${images} holds ${count} images but ${labels} holds ${lab.dims[0]} labels`);
  }
  for (let i = 0; i < count; i++) {
    if (lab.data[i] > 9) throw dataError(labels, `label ${i} is ${lab.data[i]}, outside 0..9`);
  }
  const verification = STRENGTH[Math.min(STRENGTH.indexOf(img.verification), STRENGTH.indexOf(lab.verification))];
  return { split: { images: img.data, labels: lab.data, count }, verification, shape: [height, width, 1] };
}

/**
 * Loads MNIST or Fashion-MNIST from a folder of IDX files (gzipped or not). With `fromTestSet`,
 * only the t10k files are read and split (stratified, seeded) into train and test; the result
 * says so in `split`.
 */
export async function loadMnist(
  dir: string,
  variant: 'mnist' | 'fashion-mnist',
  context: SourceContext,
  options: MnistOptions = {},
): Promise<ImageDataset> {
  const info = await stat(dir).catch((err: unknown) => Promise.reject(fsInputError(dir, err)));
  if (!info.isDirectory()) {
    throw inputError(dir, `expected a folder holding the ${variant} IDX files (${Object.values(FILES).join(', ')}, .gz or not)`);
  }
  const found = {
    trainImages: await findFile(dir, FILES.trainImages),
    trainLabels: await findFile(dir, FILES.trainLabels),
    testImages: await findFile(dir, FILES.testImages),
    testLabels: await findFile(dir, FILES.testLabels),
  };
  const needed = options.fromTestSet ? (['testImages', 'testLabels'] as const) : (Object.keys(FILES) as (keyof typeof FILES)[]);
  const missing = needed.filter((key) => !found[key]).map((key) => `${FILES[key]}.gz`);
  if (missing.length > 0) {
    const onlyTrainMissing = !options.fromTestSet && found.testImages && found.testLabels;
    throw new UserError(
      `${dir}: missing ${variant} file${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` +
        (onlyTrainMissing
          ? '. This folder holds only the official test set; to split it into train and test, pass --from-test-set (API: fromTestSet: true)'
          : ''),
      EXIT.NO_INPUT,
    );
  }
  const notes: string[] = [];
  const classNames = variant === 'mnist' ? MNIST_CLASS_NAMES : FASHION_MNIST_CLASS_NAMES;
  const test = await readSplit(dir, found.testImages!, found.testLabels!, variant, context, notes);
  if (options.fromTestSet) {
    const { testFraction, seed } = resolveSplitOptions(options.split);
    const indices = stratifiedSplit(test.split.labels, { testFraction, seed });
    notes.push(
      `train and test are both drawn from the official ${variant} test set (${test.split.count} images): stratified, seed ${seed}, test fraction ${testFraction}`,
    );
    return {
      kind: 'image',
      name: variant,
      classNames,
      imageShape: test.shape,
      train: takeRows(test.split, indices.train),
      test: takeRows(test.split, indices.test),
      split: { method: 'stratified', from: 'official-test', testFraction, seed },
      source: { path: dir, verification: test.verification, notes },
    };
  }
  const train = await readSplit(dir, found.trainImages!, found.trainLabels!, variant, context, notes);
  if (train.shape.join() !== test.shape.join()) {
    throw dataError(dir, `train images are ${train.shape.slice(0, 2).join('x')} but test images are ${test.shape.slice(0, 2).join('x')}`);
  }
  return {
    kind: 'image',
    name: variant,
    classNames,
    imageShape: test.shape,
    train: train.split,
    test: test.split,
    split: { method: 'official' },
    source: {
      path: dir,
      verification: STRENGTH[Math.min(STRENGTH.indexOf(train.verification), STRENGTH.indexOf(test.verification))],
      notes,
    },
  };
}
