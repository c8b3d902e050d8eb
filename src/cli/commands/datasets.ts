import { COMMANDS } from './catalog.js';
import { InvalidArgumentError, type Command } from 'commander';
import {
  createProgressReporter,
  datasetCacheDir,
  downloadDataset,
  listDatasets,
  loadDataset,
  parseDatasetName,
  resolveCacheDir,
  summarizeDataset,
  type DatasetSummary,
  type LoadOptions,
} from '../../datasets/index.js';
import { nonNegativeInt, positiveInt } from '../flags.js';

/** Flags shared by every command that loads a data set (`datasets info`, `show`). */
export interface LoadFlags {
  data?: string;
  cacheDir?: string;
  download: boolean;
  fromTestSet?: boolean;
  testFraction?: number;
  seed?: number;
  vocabularySize?: number;
  sequenceLength?: number;
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1, got '${value}'`);
  return n;
}

/** Adds the data-loading flags to a command. */
export function addLoadOptions(command: Command): Command {
  return command
    .option('--data <path>', 'local archive, file or extracted folder to read instead of the cache (no download)')
    .option('--cache-dir <dir>', 'cache folder (default $LISHT_DATA_DIR, else the user cache dir)')
    .option('--no-download', 'fail instead of downloading when the data are not in the cache')
    .option('--from-test-set', 'MNIST/Fashion-MNIST: build train and test from the official test set only')
    .option('--test-fraction <f>', 'test share of splits made here (Iris, Car, --from-test-set); default 0.2', fraction)
    .option('--seed <n>', 'seed of splits made here; default 42', nonNegativeInt)
    .option('--vocabulary-size <n>', 'Sentiment140: words kept; default 20000', positiveInt)
    .option('--sequence-length <n>', 'Sentiment140: tokens per sequence; default 40', positiveInt);
}

/** The `loadDataset` options the flags ask for; download progress goes to stderr. */
export function loadOptionsFromFlags(flags: LoadFlags): LoadOptions {
  return {
    data: flags.data,
    cacheDir: flags.cacheDir,
    download: flags.download,
    onProgress: createProgressReporter(process.stderr),
    fromTestSet: flags.fromTestSet,
    split: { testFraction: flags.testFraction, seed: flags.seed },
    text: { vocabularySize: flags.vocabularySize, sequenceLength: flags.sequenceLength },
  };
}

function describeSplit(s: DatasetSummary): string {
  if (s.split.method === 'official') return "the publisher's";
  const from = s.split.from === 'official-test' ? 'the official test set only' : 'all rows';
  return `stratified from ${from}, test fraction ${s.split.testFraction}, seed ${s.split.seed}`;
}

const VERIFIED = {
  checksum: "publisher's checksum matches",
  'content-checksum': 'decompressed contents match the published checksums',
  structure: 'structure checked (sizes, counts, label ranges); no checksum applied',
};

const DOWNLOAD_STATUS = { cached: 'already cached (checked)', downloaded: 'downloaded', replaced: 'replaced' };

function formatInfo(s: DatasetSummary): string {
  const shape = s.image_shape ? `, ${s.image_shape.join('x')}` : s.feature_names ? `, ${s.feature_names.length} features` : '';
  const lines = [
    `${s.name} (${s.kind}${shape})`,
    `source:  ${s.source.path}`,
    `checked: ${VERIFIED[s.source.verification]}`,
    ...s.source.notes.map((note) => `         ${note}`),
    `split:   ${describeSplit(s)}`,
    `classes: ${s.class_names.map((name, i) => `${i} ${name}`).join(', ')}`,
  ];
  if (s.vocabulary_size) lines.push(`text:    vocabulary of ${s.vocabulary_size} (with <pad>, <oov>), sequences of ${s.sequence_length}`);
  for (const which of ['train', 'test'] as const) {
    const split = s[which];
    lines.push(`${which.padEnd(5)}    ${split.count} examples; per class ${split.label_counts.join(' ')}`);
    if (split.pixel_mean) lines.push(`         pixel mean per channel ${split.pixel_mean.map((m) => m.toFixed(2)).join(' ')}`);
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  const datasets = program.command('datasets').description(COMMANDS.datasets.description);

  datasets
    .command('list')
    .description('List the data sets, their sources and checks')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      const all = listDatasets();
      if (flags.json) {
        process.stdout.write(JSON.stringify(all, null, 2) + '\n');
        return;
      }
      for (const d of all) {
        process.stdout.write(`${d.name.padEnd(15)} ${d.kind.padEnd(8)} ${d.description}\n`);
        for (const file of d.files) process.stdout.write(`${''.padEnd(24)} ${file.urls[0]}\n`);
      }
    });

  datasets
    .command('download')
    .description('Download a data set into the cache (checked before it is kept)')
    .argument('<name>', 'data set name (see `lisht datasets list`)')
    .option('--cache-dir <dir>', 'cache folder (default $LISHT_DATA_DIR, else the user cache dir)')
    .option('--force', 'download again even the files whose cached copy checks out')
    .action(async (nameArg: string, flags: { cacheDir?: string; force?: boolean }) => {
      const name = parseDatasetName(nameArg);
      const files = await downloadDataset(name, {
        cacheDir: flags.cacheDir,
        force: flags.force,
        onProgress: createProgressReporter(process.stderr),
        onDamaged: (d) => process.stderr.write(`lisht: the cached copy ${d.path} is damaged (${d.problem}); downloading it again\n`),
      });
      for (const f of files) process.stdout.write(`${DOWNLOAD_STATUS[f.status]}: ${f.path}\n`);
      process.stdout.write(`${name} is in ${datasetCacheDir(resolveCacheDir(flags.cacheDir), name)}\n`);
    });

  addLoadOptions(
    datasets
      .command('info')
      .description('Load a data set and print its counts, label counts and pixel means')
      .argument('<name>', 'data set name (see `lisht datasets list`)'),
  )
    .option('--json', 'print one JSON object')
    .action(async (nameArg: string, flags: LoadFlags & { json?: boolean }) => {
      const dataset = await loadDataset(parseDatasetName(nameArg), loadOptionsFromFlags(flags));
      const summary = summarizeDataset(dataset);
      process.stdout.write((flags.json ? JSON.stringify(summary) : formatInfo(summary)) + '\n');
    });
}
