import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { dataError } from './errors.js';

const gunzipAsync = promisify(gunzip);

/** An IDX array of unsigned bytes (the only type MNIST uses). */
export interface IdxArray {
  dims: number[];
  /** A view of the values, row-major; not a Buffer, so `.slice()` copies as usual. */
  data: Uint8Array;
}

const UBYTE = 0x08;

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip data, with errors that say truncated or corrupt and name the file. */
export async function gunzipFile(file: string, bytes: Uint8Array): Promise<Uint8Array> {
  try {
    return await gunzipAsync(bytes);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_BUF_ERROR' || /unexpected end of file/.test(e.message)) {
      throw dataError(file, 'truncated gzip file (the compressed data end early)');
    }
    throw dataError(file, `corrupt gzip data (${e.message})`);
  }
}

/**
 * Parses an IDX file (http://yann.lecun.com/exdb/mnist/): magic 0x0000 08 NN, NN big-endian
 * uint32 dimensions, then the values. Only unsigned-byte arrays of `expectedRank` dimensions
 * are accepted, and the length must match the dimensions exactly.
 */
export function parseIdx(file: string, bytes: Uint8Array, expectedRank: number): IdxArray {
  if (bytes.length < 4) throw dataError(file, `only ${bytes.length} bytes: not an IDX file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UBYTE || bytes[3] !== expectedRank) {
    throw dataError(
      file,
      `bad IDX magic number ${magic} (0x${magic.toString(16).padStart(8, '0')}): expected ${0x800 + expectedRank} for ${expectedRank}-dimensional unsigned bytes`,
    );
  }
  const headerSize = 4 + 4 * expectedRank;
  if (bytes.length < headerSize) throw dataError(file, 'truncated IDX header');
  const dims: number[] = [];
  for (let i = 0; i < expectedRank; i++) dims.push(view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerSize;
  if (actual !== expected) {
    throw dataError(
      file,
      `IDX header says ${dims.join('x')} = ${expected} values but the file holds ${actual}${actual < expected ? ' (truncated)' : ''}`,
    );
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerSize, expected) };
}
