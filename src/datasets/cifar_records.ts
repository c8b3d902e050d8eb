import { CIFAR_PIXELS, cifarRecordSize, type CifarLayout } from './cifar_layout.js';
import { dataError } from './errors.js';
import type { ImageSplit } from './types.js';
import type { MemberSink } from './archive_member.js';

const IMAGE_BYTES = 3 * CIFAR_PIXELS;

/**
 * The most records one archive member may hold: the largest official member (CIFAR-100's
 * train.bin) has 50,000, CIFAR-10's batches 10,000; the margin allows repacked archives.
 */
export const MAX_MEMBER_RECORDS = 60_000;

/** Where one member's records go: record k lands at row `first + k` of these arrays. */
interface RecordTarget {
  images: Uint8Array;
  labels: Uint8Array;
  coarseLabels?: Uint8Array;
  first: number;
}

interface Part {
  count: number;
  /** Own arrays when the member did not fit the shared buffer (irregular sizes). */
  own?: RecordTarget;
}

function allocate(count: number, withCoarse: boolean): RecordTarget {
  return {
    images: new Uint8Array(count * IMAGE_BYTES),
    labels: new Uint8Array(count),
    coarseLabels: withCoarse ? new Uint8Array(count) : undefined,
    first: 0,
  };
}

/**
 * Puts the records of a split's members (arriving in any order, as tar members do) into one
 * buffer in member order. The first member's record count is taken as every member's, which
 * holds for the official archives and lets each member be decoded straight into its final
 * place, so a split costs its size once; a member of another size gets its own buffer and the
 * split is reassembled at the end.
 */
export class SplitAssembler {
  private readonly parts: (Part | undefined)[];
  private perMember = 0;
  private shared?: RecordTarget;

  constructor(
    private readonly file: string,
    private readonly memberPaths: string[],
    private readonly withCoarse: boolean,
  ) {
    this.parts = memberPaths.map(() => undefined);
  }

  /** Target for member `index` holding `count` records. */
  begin(index: number, count: number): RecordTarget {
    if (this.parts[index]) throw dataError(this.file, `${this.memberPaths[index]} appears twice in the archive`);
    if (!this.shared) {
      this.perMember = count;
      this.shared = allocate(count * this.memberPaths.length, this.withCoarse);
    }
    if (count === this.perMember) {
      this.parts[index] = { count };
      return { ...this.shared, first: index * this.perMember };
    }
    const own = allocate(count, this.withCoarse);
    this.parts[index] = { count, own };
    return own;
  }

  /** The assembled split; throws naming the first member that never arrived. */
  finish(): ImageSplit {
    const missing = this.parts.findIndex((part) => part === undefined);
    if (missing >= 0) {
      throw dataError(this.file, `missing member ${this.memberPaths[missing]}`);
    }
    const parts = this.parts as Part[];
    const shared = this.shared!;
    const count = parts.reduce((sum, part) => sum + part.count, 0);
    if (parts.every((part) => !part.own)) {
      return { images: shared.images, labels: shared.labels, count, ...(shared.coarseLabels && { coarseLabels: shared.coarseLabels }) };
    }
    const out = allocate(count, this.withCoarse);
    let row = 0;
    parts.forEach((part, index) => {
      const from = part.own ?? { ...shared, first: index * this.perMember };
      const start = part.own ? 0 : from.first;
      out.images.set(from.images.subarray(start * IMAGE_BYTES, (start + part.count) * IMAGE_BYTES), row * IMAGE_BYTES);
      out.labels.set(from.labels.subarray(start, start + part.count), row);
      out.coarseLabels?.set(from.coarseLabels!.subarray(start, start + part.count), row);
      row += part.count;
    });
    return { images: out.images, labels: out.labels, count, ...(out.coarseLabels && { coarseLabels: out.coarseLabels }) };
  }
}

/** Number of records in a member of `size` bytes, or a data error saying why it is not whole. */
export function cifarRecordCount(file: string, member: string, size: number, layout: CifarLayout): number {
  const recordSize = cifarRecordSize(layout);
  if (size === 0) throw dataError(file, `${member} is empty`);
  // The size comes from the member's header and decides what is allocated, before a byte of
  // the member is read: a header claiming gigabytes must be refused, not allocated.
  if (size > MAX_MEMBER_RECORDS * recordSize) {
    throw dataError(file, `${member} declares ${size} bytes, more than any ${layout.name} member holds (at most ${MAX_MEMBER_RECORDS} records of ${recordSize} bytes): not ${layout.name} binary data`);
  }
  if (size % recordSize !== 0) {
    throw dataError(
      file,
      `${member} is ${size} bytes, not a whole number of ${recordSize}-byte records ` +
        `(${Math.floor(size / recordSize)} records and ${size % recordSize} bytes left over): truncated or not ${layout.name} binary data`,
    );
  }
  return size / recordSize;
}

/**
 * Decodes the records of one member as its bytes stream in: checks the labels and turns each
 * image from planar (all red, all green, all blue) into interleaved HWC.
 */
export class CifarRecordSink implements MemberSink {
  private readonly recordSize: number;
  private readonly carry: Uint8Array;
  private carried = 0;
  private written = 0;

  constructor(
    private readonly file: string,
    private readonly member: string,
    private readonly layout: CifarLayout,
    private readonly target: RecordTarget,
    private readonly count: number,
  ) {
    this.recordSize = cifarRecordSize(layout);
    this.carry = new Uint8Array(this.recordSize);
  }

  write(chunk: Uint8Array): void {
    let pos = 0;
    if (this.carried > 0) {
      const take = Math.min(this.recordSize - this.carried, chunk.length);
      this.carry.set(chunk.subarray(0, take), this.carried);
      this.carried += take;
      pos = take;
      if (this.carried < this.recordSize) return;
      this.decode(this.carry, 0);
      this.carried = 0;
    }
    while (pos + this.recordSize <= chunk.length) {
      this.decode(chunk, pos);
      pos += this.recordSize;
    }
    if (pos < chunk.length) {
      this.carry.set(chunk.subarray(pos), 0);
      this.carried = chunk.length - pos;
    }
  }

  end(): void {
    if (this.written !== this.count || this.carried !== 0) {
      throw dataError(
        this.file,
        `${this.member} ended after ${this.written} of ${this.count} records${this.carried ? ` and ${this.carried} stray bytes` : ''} (truncated)`,
      );
    }
  }

  private labelError(kind: string, value: number, max: number): Error {
    return dataError(
      this.file,
      `${this.member}: record ${this.written} has ${kind} ${value}, outside 0..${max - 1}`,
    );
  }

  private decode(src: Uint8Array, at: number): void {
    if (this.written >= this.count) {
      throw dataError(this.file, `${this.member} holds more than its ${this.count} records`);
    }
    const { layout, target } = this;
    const row = target.first + this.written;
    let pixels = at + 1;
    if (layout.labelBytes === 2) {
      const coarse = src[at];
      const fine = src[at + 1];
      if (coarse >= layout.coarseClassCount!) throw this.labelError('coarse label', coarse, layout.coarseClassCount!);
      if (fine >= layout.classCount) throw this.labelError('label', fine, layout.classCount);
      target.coarseLabels![row] = coarse;
      target.labels[row] = fine;
      pixels = at + 2;
    } else {
      const label = src[at];
      if (label >= layout.classCount) throw this.labelError('label', label, layout.classCount);
      target.labels[row] = label;
    }
    const images = target.images;
    let out = row * IMAGE_BYTES;
    const green = pixels + CIFAR_PIXELS;
    const blue = green + CIFAR_PIXELS;
    for (let i = 0; i < CIFAR_PIXELS; i++) {
      images[out++] = src[pixels + i];
      images[out++] = src[green + i];
      images[out++] = src[blue + i];
    }
    this.written++;
  }
}
