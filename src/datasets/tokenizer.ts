/**
 * Word tokenizer, top-K vocabulary and padded sequences, following Keras's `Tokenizer` and
 * `pad_sequences` defaults so that results compare with the Python examples.
 */

export const PAD_INDEX = 0;
export const OOV_INDEX = 1;
export const PAD_TOKEN = '<pad>';
export const OOV_TOKEN = '<oov>';

// Keras's default `filters`: punctuation except the apostrophe, plus tab and newline.
const FILTERED = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~\t\n\r]+/g;

/** Lower-cases, replaces Keras's filtered characters by spaces, splits on whitespace. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().replace(FILTERED, ' ').split(/\s+/).filter((word) => word !== '');
}

/** An Int32Array that grows as values are pushed. */
class GrowableInt32 {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

export interface PadOptions {
  sequenceLength: number;
  padding: 'pre' | 'post';
  truncating: 'pre' | 'post';
}

/** Writes `ids` padded/truncated to `sequenceLength` into `out` at row `row` (zeros = padding). */
export function writePadded(ids: ArrayLike<number>, out: Int32Array, row: number, options: PadOptions): void {
  const { sequenceLength, padding, truncating } = options;
  const kept = Math.min(ids.length, sequenceLength);
  const from = truncating === 'pre' ? ids.length - kept : 0;
  const at = row * sequenceLength + (padding === 'pre' ? sequenceLength - kept : 0);
  for (let k = 0; k < kept; k++) out[at + k] = ids[from + k];
}

/**
 * Collects the tokens of the training texts compactly (word ids in one Int32Array, not one
 * string array per text), then builds the vocabulary from word counts and encodes the texts.
 */
export class TokenCorpus {
  private readonly ids = new Map<string, number>();
  private readonly words: string[] = [];
  private readonly counts: number[] = [];
  private readonly tokens = new GrowableInt32();
  private readonly ends = new GrowableInt32();

  /** Number of texts added. */
  get count(): number {
    return this.ends.length;
  }

  add(text: string): void {
    for (const word of tokenize(text)) {
      let id = this.ids.get(word);
      if (id === undefined) {
        id = this.words.length;
        this.ids.set(word, id);
        this.words.push(word);
        this.counts.push(0);
      }
      this.counts[id]++;
      this.tokens.push(id);
    }
    this.ends.push(this.tokens.length);
  }

  /**
   * `[<pad>, <oov>, ...the size most frequent words]`; ties go to the word seen first, as in
   * Keras (a stable sort of first-seen order).
   */
  vocabulary(size: number): string[] {
    const order = Array.from(this.words.keys()).sort((a, b) => this.counts[b] - this.counts[a] || a - b);
    return [PAD_TOKEN, OOV_TOKEN, ...order.slice(0, size).map((id) => this.words[id])];
  }

  /** The added texts as padded sequences over `vocabulary` (from `vocabulary()`). */
  encode(vocabulary: string[], options: PadOptions): Int32Array {
    const index = new Int32Array(this.words.length).fill(OOV_INDEX);
    for (let v = 2; v < vocabulary.length; v++) index[this.ids.get(vocabulary[v])!] = v;
    const tokens = this.tokens.view();
    const ends = this.ends.view();
    const out = new Int32Array(this.count * options.sequenceLength);
    const scratch = new Int32Array(longestText(ends));
    let start = 0;
    for (let row = 0; row < ends.length; row++) {
      const n = ends[row] - start;
      for (let k = 0; k < n; k++) scratch[k] = index[tokens[start + k]];
      writePadded(scratch.subarray(0, n), out, row, options);
      start = ends[row];
    }
    return out;
  }
}

/** Most tokens in one text, from the end offsets of the texts. */
function longestText(ends: Int32Array): number {
  let longest = 0;
  let start = 0;
  for (const end of ends) {
    longest = Math.max(longest, end - start);
    start = end;
  }
  return longest;
}

/** Encodes texts not seen when the vocabulary was built (e.g. the test split). */
export function encodeTexts(texts: string[], vocabulary: string[], options: PadOptions): Int32Array {
  const index = new Map(vocabulary.slice(2).map((word, i) => [word, i + 2]));
  const out = new Int32Array(texts.length * options.sequenceLength);
  texts.forEach((text, row) => {
    const ids = tokenize(text).map((word) => index.get(word) ?? OOV_INDEX);
    writePadded(ids, out, row, options);
  });
  return out;
}
