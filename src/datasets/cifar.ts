import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CIFAR_IMAGE_SHAPE, CIFAR10_LAYOUT, CIFAR100_LAYOUT, type CifarLayout } from './cifar_layout.js';
import { CifarRecordSink, cifarRecordCount, SplitAssembler } from './cifar_records.js';
import { dataError, fsInputError, inputError } from './errors.js';
import { checksumNote, type SourceContext } from './source.js';
import { readTarMembers, type MemberSink } from './tar_reader.js';
import { datasetInfo } from './registry.js';
import type { DatasetSource, ImageDataset } from './types.js';

export { CIFAR10_LAYOUT, CIFAR100_LAYOUT };

interface NamesSink extends MemberSink {
  text(): string;
}

function collectText(): NamesSink {
  const chunks: Buffer[] = [];
  return { write: (c) => void chunks.push(c), end: () => undefined, text: () => Buffer.concat(chunks).toString('utf8') };
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
class CifarReader {
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

async function readArchive(path: string, layout: CifarLayout, context: SourceContext): Promise<ImageDataset> {
  const reader = new CifarReader(path, layout);
  const hash = createHash('md5');
  const prefix = `${layout.folder}/`;
  await readTarMembers(
    path,
    (member) => (member.path.startsWith(prefix) ? reader.sinkFor(member.path.slice(prefix.length), member.size) : undefined),
    { onFileChunk: (chunk) => hash.update(chunk) },
  );
  const official = datasetInfo(layout.name).files[0];
  const md5 = hash.digest('hex');
  const notes: string[] = [];
  const verification = checksumNote(path, md5, official.md5!, context, notes);
  return reader.finish({ path, verification, notes });
}

async function findDataFolder(dir: string, layout: CifarLayout): Promise<string> {
  for (const candidate of [dir, join(dir, layout.folder)]) {
    const isData = await stat(join(candidate, layout.test[0])).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isData) return candidate;
  }
  throw inputError(
    dir,
    `no ${layout.name} binary files here: expected ${layout.test[0]} in this folder or in ${layout.folder}/ below it`,
  );
}

async function readFolder(dir: string, layout: CifarLayout): Promise<ImageDataset> {
  const folder = await findDataFolder(dir, layout);
  const reader = new CifarReader(folder, layout);
  const wanted = [...layout.train, ...layout.test, layout.classNamesMember, layout.coarseClassNamesMember].filter(
    (name): name is string => name !== undefined,
  );
  for (const name of wanted) {
    const path = join(folder, name);
    const info = await stat(path).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fsInputError(path, err);
    });
    if (!info) continue; // a missing data member is reported by finish(), by name
    if (!info.isFile()) throw inputError(path, 'not a regular file');
    // Names are tiny; data members stream so that only the final arrays are ever held.
    const sink = reader.sinkFor(name, info.size)!;
    if (name.endsWith('.txt')) {
      sink.write(await readFile(path).catch((err: unknown) => Promise.reject(fsInputError(path, err))));
      sink.end();
      continue;
    }
    await new Promise<void>((resolve, reject) => {
      const input = createReadStream(path);
      input.on('data', (chunk) => {
        try {
          sink.write(chunk as Buffer);
        } catch (err) {
          input.destroy();
          reject(err);
        }
      });
      input.on('error', (err) => reject(fsInputError(path, err)));
      input.on('end', () => {
        try {
          sink.end();
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
  }
  return reader.finish({
    path: folder,
    verification: 'structure',
    notes: [`extracted folder ${basename(folder)}: record sizes, counts and labels checked (no checksum applies)`],
  });
}

/**
 * Loads CIFAR-10 or CIFAR-100 from a binary archive (`.tar.gz` or `.tar`, read as a stream, never
 * extracted) or from its extracted folder.
 */
export async function loadCifar(path: string, layout: CifarLayout, context: SourceContext): Promise<ImageDataset> {
  const info = await stat(path).catch((err: unknown) => Promise.reject(fsInputError(path, err)));
  return info.isDirectory() ? readFolder(path, layout) : readArchive(path, layout, context);
}
