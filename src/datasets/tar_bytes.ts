/**
 * A tar walker over bytes already in memory, for where Node's streams and the `tar` package
 * are not (the browser). Same refusals as `tar_reader.ts`: links, devices, absolute and `..`
 * paths, truncation and a bad header checksum fail the whole archive, naming the file.
 */
import type { ArchiveMember, MemberSink } from './archive_member.js';
import { dataError } from './errors.js';
import { normaliseMemberPath, unsafeMemberPathReason } from './member_path.js';

const BLOCK = 512;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function field(header: Uint8Array, from: number, length: number): string {
  const bytes = header.subarray(from, from + length);
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

function octal(header: Uint8Array, from: number, length: number): number {
  const text = latin1.decode(header.subarray(from, from + length)).replace(/[\0 ]+$/g, '').trim();
  return /^[0-7]*$/.test(text) ? (text === '' ? 0 : parseInt(text, 8)) : NaN;
}

function checksumOk(header: Uint8Array): boolean {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  return sum === stored;
}

/** The `path` record of a pax extended header, if any. */
function paxPath(data: Uint8Array): string | undefined {
  const text = utf8.decode(data);
  let at = 0;
  while (at < text.length) {
    const space = text.indexOf(' ', at);
    const length = parseInt(text.slice(at, space), 10);
    if (!(length > 0) || space < 0) return undefined;
    const record = text.slice(space + 1, at + length - 1);
    if (record.startsWith('path=')) return record.slice(5);
    at += length;
  }
  return undefined;
}

const TYPES: Record<string, string> = { '1': 'a hard link', '2': 'a symbolic link', '3': 'a character device', '4': 'a block device', '6': 'a FIFO' };

/**
 * Walks the members of an uncompressed tar archive held in `bytes`, giving each regular
 * file's bytes to the sink `onMember` returns for it (undefined skips it).
 */
export function walkTarBytes(file: string, bytes: Uint8Array, onMember: (member: ArchiveMember) => MemberSink | undefined): void {
  let at = 0;
  let longName: string | undefined;
  let sawMember = false;
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return;
    if (!checksumOk(header)) {
      throw dataError(file, sawMember ? `not a valid tar archive (bad header checksum at byte ${at})` : 'not a tar archive (its first block is no tar header)');
    }
    sawMember = true;
    const size = octal(header, 124, 12);
    if (!Number.isFinite(size)) throw dataError(file, `not a valid tar archive (bad size field at byte ${at})`);
    const type = String.fromCharCode(header[156] || 48);
    const start = at + BLOCK;
    if (start + size > bytes.length) throw dataError(file, `truncated archive (a member's ${size} bytes run past the end of the data)`);
    const data = bytes.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L' || type === 'x') {
      longName = type === 'L' ? field(data, 0, data.length) : (paxPath(data) ?? longName);
      continue;
    }
    if (type === 'g') continue;
    const magic = latin1.decode(header.subarray(257, 262));
    const prefix = magic === 'ustar' ? field(header, 345, 155) : '';
    const raw = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    const unsafe = unsafeMemberPathReason(raw);
    if (unsafe) throw dataError(file, `member ${JSON.stringify(raw)}: ${unsafe}`);
    if (type === '5') continue;
    if (TYPES[type]) throw dataError(file, `member ${JSON.stringify(raw)} is ${TYPES[type]}, not a regular file`);
    if (type !== '0' && type !== '7') throw dataError(file, `member ${JSON.stringify(raw)} has tar type ${JSON.stringify(type)}, not a regular file`);
    const sink = onMember({ path: normaliseMemberPath(raw), size });
    if (!sink) continue;
    sink.write(data);
    sink.end();
  }
  if (!sawMember) throw dataError(file, 'not a tar archive (too short)');
  throw dataError(file, 'truncated archive (it ends without the closing blocks)');
}
