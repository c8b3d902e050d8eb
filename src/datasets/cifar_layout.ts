/**
 * The layout of the official CIFAR binary archives (https://www.cs.toronto.edu/~kriz/cifar.html):
 * each record is the label byte(s), then 1024 red, 1024 green and 1024 blue bytes, row-major.
 */

export const CIFAR_IMAGE_SHAPE: [number, number, number] = [32, 32, 3];
export const CIFAR_PIXELS = 32 * 32;

export interface CifarLayout {
  name: 'cifar10' | 'cifar100';
  /** Top folder inside the archive. */
  folder: string;
  /** Training members, in the order Keras concatenates them. */
  train: string[];
  test: string[];
  /** 1 (CIFAR-10: label) or 2 (CIFAR-100: coarse label, then fine label). */
  labelBytes: 1 | 2;
  classCount: number;
  classNamesMember: string;
  defaultClassNames: string[];
  coarseClassCount?: number;
  coarseClassNamesMember?: string;
  defaultCoarseClassNames?: string[];
  /** Record counts of the official archive, used as a first guess of buffer sizes. */
  officialTrainCount: number;
  officialTestCount: number;
}

export const CIFAR10_CLASS_NAMES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

export const CIFAR100_CLASS_NAMES = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

export const CIFAR100_COARSE_CLASS_NAMES = [
  'aquatic_mammals', 'fish', 'flowers', 'food_containers', 'fruit_and_vegetables',
  'household_electrical_devices', 'household_furniture', 'insects', 'large_carnivores',
  'large_man-made_outdoor_things', 'large_natural_outdoor_scenes', 'large_omnivores_and_herbivores',
  'medium_mammals', 'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals', 'trees',
  'vehicles_1', 'vehicles_2',
];

export const CIFAR10_LAYOUT: CifarLayout = {
  name: 'cifar10',
  folder: 'cifar-10-batches-bin',
  train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
  test: ['test_batch.bin'],
  labelBytes: 1,
  classCount: 10,
  classNamesMember: 'batches.meta.txt',
  defaultClassNames: CIFAR10_CLASS_NAMES,
  officialTrainCount: 50_000,
  officialTestCount: 10_000,
};

export const CIFAR100_LAYOUT: CifarLayout = {
  name: 'cifar100',
  folder: 'cifar-100-binary',
  train: ['train.bin'],
  test: ['test.bin'],
  labelBytes: 2,
  classCount: 100,
  classNamesMember: 'fine_label_names.txt',
  defaultClassNames: CIFAR100_CLASS_NAMES,
  coarseClassCount: 20,
  coarseClassNamesMember: 'coarse_label_names.txt',
  defaultCoarseClassNames: CIFAR100_COARSE_CLASS_NAMES,
  officialTrainCount: 50_000,
  officialTestCount: 10_000,
};

/** Bytes of one record. */
export function cifarRecordSize(layout: CifarLayout): number {
  return layout.labelBytes + 3 * CIFAR_PIXELS;
}
