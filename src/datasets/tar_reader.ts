import { createReadStream } from 'node:fs';
import { Parser, type ReadEntry } from 'tar';
import { dataError, fsInputError } from './errors.js';
import { normaliseMemberPath, unsafeMemberPathReason } from './member_path.js';
import type { ArchiveMember, MemberSink } from './archive_member.js';

export type { ArchiveMember, MemberSink };

export interface ReadTarOptions {
  /** Sees every raw (compressed) byte of the file, e.g. to hash it on the way. */
  onFileChunk?: (chunk: Buffer) => void;
}

const REGULAR_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

function memberTypeProblem(entry: ReadEntry): string | undefined {
  if (REGULAR_TYPES.has(entry.type) || entry.type === 'Directory') return undefined;
  if (entry.type === 'SymbolicLink') return `is a symbolic link (to ${JSON.stringify(entry.linkpath ?? '')})`;
  if (entry.type === 'Link') return `is a hard link (to ${JSON.stringify(entry.linkpath ?? '')})`;
  return `is a ${entry.type}, not a regular file`;
}

function describeTarError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = (e?.message ?? String(err)).replace(/^TAR_[A-Z_]+: /, '');
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end of file/.test(message)) {
    return 'truncated archive (the gzip data end early)';
  }
  if (/Truncated input/.test(message)) return `truncated archive (${message})`;
  if (e?.code?.startsWith('Z_') || /zlib|incorrect header check|invalid (block|distance|stored)/.test(message)) {
    return `corrupt gzip data (${message})`;
  }
  return `not a valid tar archive (${message})`;
}

/**
 * Streams the members of a `.tar` or `.tar.gz` file to `onMember` without writing anything to
 * disk. Links, devices, absolute paths and `..` paths make the whole archive fail, as do
 * truncation and corruption; every error names the file.
 *
 * `onMember` returns a sink for the members it wants and undefined for the others.
 */
export function readTarMembers(
  file: string,
  onMember: (member: ArchiveMember) => MemberSink | undefined,
  options: ReadTarOptions = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    let current: string | undefined;
    const archiveError = (err: unknown) =>
      dataError(file, `${describeTarError(err)}${current ? ` while reading member ${current}` : ''}`);
    const input = createReadStream(file);
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      input.destroy();
      reject(err);
    };
    const guard = (action: () => void): void => {
      if (failed) return;
      try {
        action();
      } catch (err) {
        fail(err);
      }
    };

    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        current = entry.path;
        entry.on('end', () => {
          current = undefined;
        });
        entry.on('error', (err: unknown) => fail(archiveError(err)));
        if (failed) return void entry.resume();
        const pathProblem = unsafeMemberPathReason(entry.path);
        const typeProblem = memberTypeProblem(entry);
        if (pathProblem || typeProblem) {
          entry.resume();
          return fail(
            dataError(
              file,
              `unsafe archive member ${JSON.stringify(entry.path)}: ${pathProblem ?? typeProblem}; the archive is refused`,
            ),
          );
        }
        let sink: MemberSink | undefined;
        if (entry.type !== 'Directory') {
          guard(() => {
            sink = onMember({ path: normaliseMemberPath(entry.path), size: entry.size ?? 0 });
          });
        }
        if (!sink) return void entry.resume();
        const target = sink;
        entry.on('data', (chunk: Buffer) => guard(() => target.write(chunk)));
        entry.on('end', () => guard(() => target.end()));
      },
    });
    parser.on('error', (err: unknown) => fail(archiveError(err)));
    parser.on('end', () => {
      if (!failed) resolve();
    });
    input.on('error', (err) => fail(fsInputError(file, err)));
    if (options.onFileChunk) input.on('data', (chunk) => options.onFileChunk!(chunk as Buffer));
    input.pipe(parser);
  });
}
