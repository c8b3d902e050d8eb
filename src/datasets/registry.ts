import { UserError } from '../errors.js';
import { DATASET_NAMES, type DatasetKind, type DatasetName } from './types.js';

/** One file the publisher serves. */
export interface DatasetFile {
  /** Name in the cache (and in a `--data` folder). */
  fileName: string;
  /** Where to fetch it, tried in order; all serve identical bytes. */
  urls: string[];
  /** The publisher's MD5 of the file, where one is published. */
  md5?: string;
  /** Published MD5 of the decompressed contents (gzip files), so re-compressed copies are recognised. */
  contentMd5?: string;
  /** Size in bytes, for progress when a server sends no Content-Length. */
  sizeBytes?: number;
}

/** What `listDatasets()` tells about a data set. */
export interface DatasetInfo {
  name: DatasetName;
  kind: DatasetKind;
  title: string;
  description: string;
  homepage: string;
  files: DatasetFile[];
  /** How the download is checked: the publisher's checksum, or structure where none is published. */
  verification: string;
  /** What `--data` may point at. */
  localData: string;
}

const MNIST_MIRRORS = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'http://yann.lecun.com/exdb/mnist/',
];
const FASHION_MIRRORS = [
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  'https://storage.googleapis.com/tensorflow/tf-keras-datasets/',
];

function idxFiles(
  mirrors: string[],
  sums: Record<string, [md5: string, contentMd5: string, sizeBytes: number]>,
): DatasetFile[] {
  return Object.entries(sums).map(([fileName, [md5, contentMd5, sizeBytes]]) => ({
    fileName,
    urls: mirrors.map((base) => base + fileName),
    md5,
    contentMd5,
    sizeBytes,
  }));
}

const REGISTRY: readonly DatasetInfo[] = [
  {
    name: 'cifar10',
    kind: 'image',
    title: 'CIFAR-10',
    description: '60,000 32x32 colour images in 10 classes (50,000 train, 10,000 test)',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    files: [
      {
        fileName: 'cifar-10-binary.tar.gz',
        urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
        // From the publisher's page.
        md5: 'c32a1d4ab5d03f1284b67883e8d87530',
        sizeBytes: 170_052_171,
      },
    ],
    verification: "publisher's MD5",
    localData: 'cifar-10-binary.tar.gz (or any .tar/.tar.gz of that layout), or the extracted cifar-10-batches-bin folder',
  },
  {
    name: 'cifar100',
    kind: 'image',
    title: 'CIFAR-100',
    description: '60,000 32x32 colour images in 100 fine and 20 coarse classes (50,000 train, 10,000 test)',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    files: [
      {
        fileName: 'cifar-100-binary.tar.gz',
        urls: ['https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz'],
        // From the publisher's page.
        md5: '03b5dce01913d631647c71ecec9e9cb8',
        sizeBytes: 168_513_733,
      },
    ],
    verification: "publisher's MD5",
    localData: 'cifar-100-binary.tar.gz (or any .tar/.tar.gz of that layout), or the extracted cifar-100-binary folder',
  },
  {
    name: 'mnist',
    kind: 'image',
    title: 'MNIST',
    description: '70,000 28x28 greyscale handwritten digits (60,000 train, 10,000 test)',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
    // The site gives no checksums; these MD5s are the ones torchvision, PaddlePaddle and others
    // have pinned for years (gzip files, and their decompressed contents).
    files: idxFiles(MNIST_MIRRORS, {
      'train-images-idx3-ubyte.gz': ['f68b3c2dcbeaaa9fbdd348bbdeb94873', '6bbc9ace898e44ae57da46a324031adb', 9_912_422],
      'train-labels-idx1-ubyte.gz': ['d53e105ee54ea40749a09fcbcd1e9432', 'a25bea736e30d166cdddb491f175f624', 28_881],
      't10k-images-idx3-ubyte.gz': ['9fb629c4189551a2d022fa330f9573f3', '2646ac647ad5339dbf082846283269ea', 1_648_877],
      't10k-labels-idx1-ubyte.gz': ['ec29112dd5afa0611ce80d1b7f02629c', '27ae3e4e09519cfbb04c329615203637', 4_542],
    }),
    verification: 'widely published MD5s of the IDX files',
    localData: 'a folder with the four IDX files (.gz or not); with only the t10k files, use fromTestSet',
  },
  {
    name: 'fashion-mnist',
    kind: 'image',
    title: 'Fashion-MNIST',
    description: "70,000 28x28 greyscale Zalando article images in 10 classes, MNIST's format",
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    // MD5s of the .gz files from the publisher's README; content MD5s as widely pinned.
    files: idxFiles(FASHION_MIRRORS, {
      'train-images-idx3-ubyte.gz': ['8d4fb7e6c68d591d4c3dfef9ec88bf0d', 'f4a8712d7a061bf5bd6d2ca38dc4d50a', 26_421_880],
      'train-labels-idx1-ubyte.gz': ['25c81989df183df01b3e8a0aad5dffbe', '9018921c3c673c538a1fc5bad174d6f9', 29_515],
      't10k-images-idx3-ubyte.gz': ['bef4ecab320f06d8554ea6380940ec79', '8181f5470baa50b63fa0f6fddb340f0a', 4_422_102],
      't10k-labels-idx1-ubyte.gz': ['bb300cfdad3c16e7a12a480ee83cd310', '15d484375f8d13e6eb1aabb0c3f46965', 5_148],
    }),
    verification: "publisher's MD5",
    localData: 'a folder with the four IDX files (.gz or not); with only the t10k files, use fromTestSet',
  },
  {
    name: 'iris',
    kind: 'tabular',
    title: 'Iris (UCI)',
    description: "Fisher's 150 irises: 4 measurements, 3 species; stratified seeded split",
    homepage: 'https://archive.ics.uci.edu/dataset/53/iris',
    // UCI publishes no checksum: the download is checked by parsing it (150 rows, 50 per class).
    files: [
      {
        fileName: 'iris.data',
        urls: ['https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data'],
        sizeBytes: 4_551,
      },
    ],
    verification: 'structure (UCI publishes no checksum): 150 rows, 50 per class',
    localData: "UCI's iris.data, or scikit-learn's iris.csv (header `150,4,setosa,versicolor,virginica`)",
  },
  {
    name: 'car-evaluation',
    kind: 'tabular',
    title: 'Car Evaluation (UCI)',
    description: '1,728 cars: 6 categorical attributes (one-hot, 21 columns), 4 classes; stratified seeded split',
    homepage: 'https://archive.ics.uci.edu/dataset/19/car+evaluation',
    // UCI publishes no checksum: the download is checked by parsing it (1,728 rows, known classes).
    files: [
      {
        fileName: 'car.data',
        urls: ['https://archive.ics.uci.edu/ml/machine-learning-databases/car/car.data'],
        sizeBytes: 51_867,
      },
    ],
    verification: 'structure (UCI publishes no checksum): 1,728 rows of known values',
    localData: "UCI's car.data, with or without a header line",
  },
  {
    name: 'sentiment140',
    kind: 'text',
    title: 'Sentiment140',
    description: '1.6M tweets labelled by emoticon (train) and 359 hand-labelled ones (test), negative/positive',
    homepage: 'http://help.sentiment140.com/for-students',
    // The publisher gives no checksum: the download is checked by opening the zip, finding both
    // CSV members and parsing the test CSV (with its CRC-32).
    files: [
      {
        fileName: 'trainingandtestdata.zip',
        urls: ['https://cs.stanford.edu/people/alecmgo/trainingandtestdata.zip'],
      },
    ],
    verification: 'structure (no checksum published): both CSV members present, the test CSV parses',
    localData: 'trainingandtestdata.zip, the folder it extracts to, or the training CSV itself',
  },
];

/** Metadata of every data set, in a stable order. */
export function listDatasets(): DatasetInfo[] {
  return REGISTRY.map((info) => structuredClone(info));
}

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** `name` as a DatasetName, or a UserError that lists the known names. */
export function parseDatasetName(name: string): DatasetName {
  if (isDatasetName(name)) return name;
  throw new UserError(`unknown data set ${JSON.stringify(name)}; known data sets: ${DATASET_NAMES.join(', ')}`);
}

/** Metadata of one data set (a copy). */
export function datasetInfo(name: DatasetName): DatasetInfo {
  return structuredClone(REGISTRY.find((info) => info.name === name)!);
}
