import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CIFAR10_LAYOUT, CIFAR100_LAYOUT, type CifarLayout } from './cifar_layout.js';
import { CifarReader } from './cifar_reader.js';
import { fsInputError, inputError } from './errors.js';
import { checksumNote, type SourceContext } from './source.js';
import { readTarMembers } from './tar_reader.js';
import { datasetInfo } from './registry.js';
import type { ImageDataset } from './types.js';

export { CIFAR10_LAYOUT, CIFAR100_LAYOUT };

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
