/**
 * Collects the members of a CIFAR binary archive or folder into an {@link ImageDataset}. Pure
 * (no Node built-in): Node's streaming tar reader and the browser's in-memory tar walker both
 * feed it, so there is one CIFAR parser.
 */
import { CIFAR_IMAGE_SHAPE, type CifarLayout } from './cifar_layout.js';
import { CifarRecordSink, cifarRecordCount, SplitAssembler } from './cifar_records.js';
import { dataError } from './errors.js';
import type { MemberSink } from './archive_member.js';
import type { DatasetSource, ImageDataset } from './types.js';

interface NamesSink extends MemberSink {
  text(): string;
}

function collectText(): NamesSink {
  const chunks: Uint8Array[] = [];
  return {
    write: (c) => void chunks.push(c.slice()),
    end: () => undefined,
    text: () => {
      const decoder = new TextDecoder('utf-8');
      return chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();
    },
  };
}

function parseNames(file: string, member: string, text: string, expected: number): string[] {
  const names = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (names.length !== expected) {
    throw dataError(file, `${member} lists ${names.length} class names, expected ${expected}`);
  }
  return names;
}

/** Reading state shared by the archive and folder paths. */
export class CifarReader {
  readonly train: SplitAssembler;
  readonly test: SplitAssembler;
  readonly nameSinks = new Map<string, NamesSink>();

  constructor(
    readonly file: string,
    readonly layout: CifarLayout,
  ) {
    const coarse = layout.labelBytes === 2;
    this.train = new SplitAssembler(file, layout.train.map((m) => `${layout.folder}/${m}`), coarse);
    this.test = new SplitAssembler(file, layout.test.map((m) => `${layout.folder}/${m}`), coarse);
  }

  /** Sink for a member named `name` inside the data folder, or undefined to skip it. */
  sinkFor(name: string, size: number): MemberSink | undefined {
    const { layout, file } = this;
    const member = `${layout.folder}/${name}`;
    for (const [members, assembler] of [
      [layout.train, this.train],
      [layout.test, this.test],
    ] as const) {
      const index = members.indexOf(name);
      if (index < 0) continue;
      const count = cifarRecordCount(file, member, size, layout);
      return new CifarRecordSink(file, member, layout, assembler.begin(index, count), count);
    }
    if (name === layout.classNamesMember || name === layout.coarseClassNamesMember) {
      if (size > 1 << 20) throw dataError(file, `${member} is ${size} bytes, too large for a list of class names`);
      const sink = collectText();
      this.nameSinks.set(name, sink);
      return sink;
    }
    return undefined;
  }

  private classNames(
    member: string | undefined,
    count: number | undefined,
    fallback: string[] | undefined,
    notes: string[],
  ): string[] | undefined {
    if (!member || !count || !fallback) return undefined;
    const sink = this.nameSinks.get(member);
    if (!sink) {
      notes.push(`${member} not found; using the standard class names`);
      return fallback;
    }
    return parseNames(this.file, `${this.layout.folder}/${member}`, sink.text(), count);
  }

  finish(source: DatasetSource): ImageDataset {
    const train = this.train.finish();
    const test = this.test.finish();
    const { layout } = this;
    const classNames = this.classNames(layout.classNamesMember, layout.classCount, layout.defaultClassNames, source.notes)!;
    const coarseClassNames = this.classNames(
      layout.coarseClassNamesMember,
      layout.coarseClassCount,
      layout.defaultCoarseClassNames,
      source.notes,
    );
    return {
      kind: 'image',
      name: layout.name,
      classNames,
      ...(coarseClassNames && { coarseClassNames }),
      imageShape: [...CIFAR_IMAGE_SHAPE],
      train,
      test,
      split: { method: 'official' },
      source,
    };
  }
}

