import { Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { UserError } from '../errors.js';
import { dataError, fsInputError } from './errors.js';
import { unsafeMemberPathReason } from './member_path.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** A zip file opened for reading a few named members. */
export interface ZipMembers {
  /** Member paths found, by their base name. */
  has(baseName: string): boolean;
  /** Uncompressed size of a member. */
  size(baseName: string): number;
  open(baseName: string): Promise<Readable>;
  close(): void;
}

function describeZipError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/absolute path|invalid relative path|invalid characters/.test(message)) {
    return `unsafe archive member (${message}); the archive is refused`;
  }
  if (/end of central directory record signature not found/.test(message)) return 'not a zip file, or truncated';
  return `corrupt zip file (${message})`;
}

/**
 * Opens a zip file and indexes its members by base name. Members with absolute or `..` paths
 * (yauzl rejects those) or that are symbolic links make the whole archive fail.
 */
export async function openZip(file: string): Promise<ZipMembers> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw fsInputError(file, err);
    throw dataError(file, describeZipError(err));
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    for await (const entry of zip.eachEntry()) {
      const unsafe = unsafeMemberPathReason(entry.fileName);
      if (unsafe) throw dataError(file, `unsafe archive member ${JSON.stringify(entry.fileName)}: ${unsafe}; the archive is refused`);
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
        throw dataError(file, `unsafe archive member ${JSON.stringify(entry.fileName)}: is a symbolic link; the archive is refused`);
      }
      if (entry.fileName.endsWith('/')) continue;
      entries.set(entry.fileName.slice(entry.fileName.lastIndexOf('/') + 1), entry);
    }
  } catch (err) {
    zip.close();
    if (err instanceof UserError) throw err;
    throw dataError(file, describeZipError(err));
  }
  const get = (name: string): yauzl.Entry => {
    const entry = entries.get(name);
    if (!entry) throw dataError(file, `missing member ${name}`);
    return entry;
  };
  return {
    has: (name) => entries.has(name),
    size: (name) => get(name).uncompressedSize,
    open: async (name) => {
      const entry = get(name);
      let raw: Readable;
      try {
        raw = await zip.openReadStreamPromise(entry);
      } catch (err) {
        throw dataError(file, `${name}: ${describeZipError(err)}`);
      }
      // yauzl leaves CRC-32 checking to its users; a damaged member must not pass as data.
      let crc = 0;
      const checked = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          crc = crc32(chunk, crc);
          callback(null, chunk);
        },
        flush(callback) {
          callback(crc >>> 0 === entry.crc32 ? null : dataError(file, `${name}: CRC-32 mismatch, the zip is damaged`));
        },
      });
      raw.on('error', (err) => checked.destroy(dataError(file, `${name}: ${describeZipError(err)}`)));
      return raw.pipe(checked);
    },
    close: () => zip.close(),
  };
}
