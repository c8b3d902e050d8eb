import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDataset, OOV_INDEX, tokenize } from '../../src/datasets/index.js';
import { tweetRow, writeZip } from '../helpers/archives.js';
import { tempDir } from '../helpers/env.js';

describe('tokenize', () => {
  it("follows Keras's Tokenizer defaults: lower case, punctuation split, apostrophes kept", () => {
    assert.deepEqual(tokenize("@Switchfoot http://twitpic.com/2y1zl - Awww, that's a bummer!"), [
      'switchfoot', 'http', 'twitpic', 'com', '2y1zl', 'awww', "that's", 'a', 'bummer',
    ]);
    assert.deepEqual(tokenize('  \t\n '), []);
  });
});

describe('Sentiment140', () => {
  const tmp = tempDir();
  const train = [
    tweetRow(0, 1, 'bad day, bad "news"'),
    tweetRow(4, 2, 'good good day'),
    tweetRow(0, 3, 'so bad'),
    // latin-1: \xe9 is é.
    tweetRow(4, 4, 'caf\xe9 is good'),
  ].join('\n');
  const test = [tweetRow(4, 10, 'good news'), tweetRow(2, 11, 'meh'), tweetRow(0, 12, 'bad unknownword')].join('\r\n');
  let zipPath: string;

  before(async () => {
    zipPath = join(tmp.path, 'trainingandtestdata.zip');
    await writeZip(zipPath, {
      'training.1600000.processed.noemoticon.csv': Buffer.from(train, 'latin1'),
      'testdata.manual.2009.06.14.csv': Buffer.from(test, 'latin1'),
    });
  });
  after(() => tmp.remove());

  it('reads the zip: polarity 0/4 -> 0/1, neutral test tweets dropped, top-K vocabulary', async () => {
    const ds = await loadDataset('sentiment140', { data: zipPath, text: { vocabularySize: 3, sequenceLength: 4 } });
    assert.equal(ds.kind, 'text');
    assert.deepEqual(ds.classNames, ['negative', 'positive']);
    assert.equal(ds.train.count, 4);
    assert.deepEqual([...ds.train.labels], [0, 1, 0, 1]);
    assert.equal(ds.test.count, 2);
    assert.deepEqual([...ds.test.labels], [1, 0]);
    // Counts: bad 3, good 3, day 2 (bad seen first, so it ranks before good).
    assert.deepEqual(ds.vocabulary, ['<pad>', '<oov>', 'bad', 'good', 'day']);
    const v = (w: string) => ds.vocabulary.indexOf(w);
    const row = (s: Int32Array, r: number) => [...s.subarray(r * 4, r * 4 + 4)];
    // Keras's pad_sequences defaults: pad and truncate at the front.
    assert.deepEqual(row(ds.train.sequences, 0), [v('bad'), v('day'), v('bad'), OOV_INDEX]);
    assert.deepEqual(row(ds.train.sequences, 2), [0, 0, OOV_INDEX, v('bad')]);
    assert.deepEqual(row(ds.test.sequences, 1), [0, 0, v('bad'), OOV_INDEX]);
    assert.match(ds.source.notes.join('\n'), /1 neutral test tweets/);
  });

  it('decodes latin-1 and pads at the end when asked', async () => {
    const dir = join(tmp.path, 'csvs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'training.1600000.processed.noemoticon.csv'), Buffer.from(train, 'latin1'));
    writeFileSync(join(dir, 'testdata.manual.2009.06.14.csv'), Buffer.from(test, 'latin1'));
    const ds = await loadDataset('sentiment140', {
      data: join(dir, 'training.1600000.processed.noemoticon.csv'),
      text: { vocabularySize: 100, sequenceLength: 5, padding: 'post', truncating: 'post' },
    });
    assert.ok(ds.vocabulary.includes('café'));
    const v = (w: string) => ds.vocabulary.indexOf(w);
    assert.deepEqual([...ds.train.sequences.subarray(15, 20)], [v('café'), v('is'), v('good'), 0, 0]);
  });
});
