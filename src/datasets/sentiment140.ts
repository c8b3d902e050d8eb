import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { UserError } from '../errors.js';
import { dataError, fsInputError, inputError } from './errors.js';
import { encodeTexts, TokenCorpus, type PadOptions } from './tokenizer.js';
import type { TextDataset, TextOptions } from './types.js';
import { openZip, type ZipMembers } from './zip_reader.js';
import { DEFAULT_SEQUENCE_LENGTH, DEFAULT_VOCABULARY_SIZE } from './text_defaults.js';

export const SENTIMENT140_ZIP = 'trainingandtestdata.zip';
export const SENTIMENT140_TRAIN_CSV = 'training.1600000.processed.noemoticon.csv';
export const SENTIMENT140_TEST_CSV = 'testdata.manual.2009.06.14.csv';
export const SENTIMENT140_CLASS_NAMES = ['negative', 'positive'];

export { DEFAULT_SEQUENCE_LENGTH, DEFAULT_VOCABULARY_SIZE };

/** Fills in and checks the text options. */
export function resolveTextOptions(options: TextOptions = {}): Required<TextOptions> {
  const resolved = {
    vocabularySize: options.vocabularySize ?? DEFAULT_VOCABULARY_SIZE,
    sequenceLength: options.sequenceLength ?? DEFAULT_SEQUENCE_LENGTH,
    padding: options.padding ?? 'pre',
    truncating: options.truncating ?? 'pre',
  } as const;
  for (const key of ['vocabularySize', 'sequenceLength'] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 1) {
      throw new UserError(`${key} must be a positive integer, got ${resolved[key]}`);
    }
  }
  for (const key of ['padding', 'truncating'] as const) {
    if (resolved[key] !== 'pre' && resolved[key] !== 'post') throw new UserError(`${key} must be 'pre' or 'post'`);
  }
  return resolved;
}

/** The two CSV files, wherever they are. */
interface TweetFiles {
  path: string;
  train: { name: string; open: () => Promise<Readable> };
  test: { name: string; open: () => Promise<Readable> };
  close: () => void;
}

interface TweetCounts {
  rows: number;
  neutralDropped: number;
}

/**
 * Reads tweets from a Sentiment140 CSV (latin-1; polarity, id, date, query, user, text).
 * Polarity 0 -> 0 (negative), 4 -> 1 (positive); 2 (neutral, test file only) is dropped.
 */
async function readTweets(
  file: string,
  input: Readable,
  allowNeutral: boolean,
  onTweet: (text: string, label: number) => void,
): Promise<TweetCounts> {
  const parser = parse({ encoding: 'latin1', relax_column_count: true, relax_quotes: true });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  const counts: TweetCounts = { rows: 0, neutralDropped: 0 };
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = parser.info.lines;
      if (record.length !== 6) throw dataError(file, `line ${line}: ${record.length} fields, expected 6`);
      const polarity = record[0];
      if (polarity === '0' || polarity === '4') {
        onTweet(record[5], polarity === '0' ? 0 : 1);
        counts.rows++;
      } else if (polarity === '2' && allowNeutral) {
        counts.neutralDropped++;
      } else {
        throw dataError(file, `line ${line}: polarity ${JSON.stringify(polarity)} is out of range (expected 0 or 4${allowNeutral ? ', or 2 for neutral' : ''})`);
      }
    }
  } catch (err) {
    input.destroy();
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code && !code.startsWith('CSV_')) throw fsInputError(file, err);
    throw dataError(file, `malformed CSV: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (counts.rows === 0) throw dataError(file, 'no tweets');
  return counts;
}

async function isZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch((err: unknown) => Promise.reject(fsInputError(path, err)));
  try {
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 0);
    return magic.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
}

function fromZip(path: string, zip: ZipMembers): TweetFiles {
  for (const name of [SENTIMENT140_TRAIN_CSV, SENTIMENT140_TEST_CSV]) {
    if (!zip.has(name)) {
      zip.close();
      throw dataError(path, `missing member ${name}`);
    }
  }
  return {
    path,
    train: { name: `${path}:${SENTIMENT140_TRAIN_CSV}`, open: () => zip.open(SENTIMENT140_TRAIN_CSV) },
    test: { name: `${path}:${SENTIMENT140_TEST_CSV}`, open: () => zip.open(SENTIMENT140_TEST_CSV) },
    close: () => zip.close(),
  };
}

async function fromFolder(dir: string, trainPath: string): Promise<TweetFiles> {
  const testPath = join(dir, SENTIMENT140_TEST_CSV);
  for (const path of [trainPath, testPath]) {
    await stat(path).catch((err: unknown) => Promise.reject(inputError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? `missing (Sentiment140 needs both ${SENTIMENT140_TRAIN_CSV} and ${SENTIMENT140_TEST_CSV})` : String(err))));
  }
  const opener = (path: string) => async () => createReadStream(path);
  return {
    path: dir,
    train: { name: trainPath, open: opener(trainPath) },
    test: { name: testPath, open: opener(testPath) },
    close: () => undefined,
  };
}

async function locate(path: string): Promise<TweetFiles> {
  const info = await stat(path).catch((err: unknown) => Promise.reject(fsInputError(path, err)));
  if (info.isDirectory()) {
    const zipPath = join(path, SENTIMENT140_ZIP);
    const hasCsv = await stat(join(path, SENTIMENT140_TRAIN_CSV)).then(() => true, () => false);
    if (!hasCsv && (await stat(zipPath).then(() => true, () => false))) return fromZip(zipPath, await openZip(zipPath));
    return fromFolder(path, join(path, SENTIMENT140_TRAIN_CSV));
  }
  if (await isZip(path)) return fromZip(path, await openZip(path));
  // A CSV given directly is the training file; the test file must sit beside it.
  return fromFolder(dirname(path), path);
}

/**
 * Loads Sentiment140: the training CSV's 1.6M tweets (train) and the hand-labelled test CSV
 * without its neutral tweets (test), tokenized like Keras, with a vocabulary of the most frequent
 * training words and padded sequences.
 */
export async function loadSentiment140(path: string, options: TextOptions = {}): Promise<TextDataset> {
  const text = resolveTextOptions(options);
  const pad: PadOptions = text;
  const files = await locate(path);
  try {
    const corpus = new TokenCorpus();
    const trainLabels: number[] = [];
    await readTweets(files.train.name, await files.train.open(), false, (tweet, label) => {
      corpus.add(tweet);
      trainLabels.push(label);
    });
    const testTexts: string[] = [];
    const testLabels: number[] = [];
    const testCounts = await readTweets(files.test.name, await files.test.open(), true, (tweet, label) => {
      testTexts.push(tweet);
      testLabels.push(label);
    });
    const vocabulary = corpus.vocabulary(text.vocabularySize);
    return {
      kind: 'text',
      name: 'sentiment140',
      classNames: SENTIMENT140_CLASS_NAMES,
      vocabulary,
      sequenceLength: text.sequenceLength,
      train: { sequences: corpus.encode(vocabulary, pad), labels: Uint8Array.from(trainLabels), count: trainLabels.length },
      test: { sequences: encodeTexts(testTexts, vocabulary, pad), labels: Uint8Array.from(testLabels), count: testLabels.length },
      split: { method: 'official' },
      source: {
        path: files.path,
        verification: 'structure',
        notes: [
          'the publisher gives no checksum: every row was parsed and checked',
          `${testCounts.neutralDropped} neutral test tweets (polarity 2) dropped; polarity 0/4 mapped to 0/1`,
          `vocabulary: the ${text.vocabularySize} most frequent training words, plus <pad> (0) and <oov> (1)`,
        ],
      },
    };
  } finally {
    files.close();
  }
}

/** Checks a downloaded zip: it opens, holds both CSV files, and the test file parses. */
export async function verifySentiment140Download(path: string): Promise<void> {
  const files = fromZip(path, await openZip(path));
  try {
    await readTweets(files.test.name, await files.test.open(), true, () => undefined);
  } finally {
    files.close();
  }
}
