import { labelCounts } from './split.js';
import type { Dataset, ImageSplit } from './types.js';

/** Mean of each channel over all images of a split, on the 0..255 scale. */
export function pixelMean(split: ImageSplit, channels: number): number[] {
  const sums = new Float64Array(channels);
  const { images } = split;
  if (channels === 3) {
    // Unrolled: this runs over 150 MB for CIFAR-10.
    let r = 0;
    let g = 0;
    let b = 0;
    for (let i = 0; i < images.length; i += 3) {
      r += images[i];
      g += images[i + 1];
      b += images[i + 2];
    }
    sums[0] = r;
    sums[1] = g;
    sums[2] = b;
  } else {
    for (let i = 0; i < images.length; i++) sums[i % channels] += images[i];
  }
  const perChannel = images.length / channels;
  return Array.from(sums, (s) => (perChannel === 0 ? 0 : s / perChannel));
}

interface SplitSummary {
  count: number;
  label_counts: number[];
  coarse_label_counts?: number[];
  pixel_mean?: number[];
}

/** What `lisht datasets info --json` prints (snake_case keys, plain JSON values). */
export interface DatasetSummary {
  name: string;
  kind: Dataset['kind'];
  class_names: string[];
  coarse_class_names?: string[];
  image_shape?: number[];
  feature_names?: string[];
  vocabulary_size?: number;
  sequence_length?: number;
  split: Dataset['split'];
  source: Dataset['source'];
  train: SplitSummary;
  test: SplitSummary;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Counts, label counts and (for images) per-channel pixel means of both splits. */
export function summarizeDataset(dataset: Dataset): DatasetSummary {
  const classCount = dataset.classNames.length;
  const base = {
    name: dataset.name,
    kind: dataset.kind,
    class_names: dataset.classNames,
    split: dataset.split,
    source: dataset.source,
  };
  const counts = (labels: Dataset['train']['labels'], count: number) => ({ count, label_counts: labelCounts(labels, classCount) });
  switch (dataset.kind) {
    case 'image': {
      const channels = dataset.imageShape[2];
      const coarse = dataset.coarseClassNames;
      const split = (s: ImageSplit): SplitSummary => ({
        ...counts(s.labels, s.count),
        ...(coarse && s.coarseLabels && { coarse_label_counts: labelCounts(s.coarseLabels, coarse.length) }),
        pixel_mean: pixelMean(s, channels).map(round),
      });
      return {
        ...base,
        ...(coarse && { coarse_class_names: coarse }),
        image_shape: [...dataset.imageShape],
        train: split(dataset.train),
        test: split(dataset.test),
      };
    }
    case 'tabular':
      return {
        ...base,
        feature_names: dataset.featureNames,
        train: counts(dataset.train.labels, dataset.train.count),
        test: counts(dataset.test.labels, dataset.test.count),
      };
    case 'text':
      return {
        ...base,
        vocabulary_size: dataset.vocabulary.length,
        sequence_length: dataset.sequenceLength,
        train: counts(dataset.train.labels, dataset.train.count),
        test: counts(dataset.test.labels, dataset.test.count),
      };
  }
}
