import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { trackPartialFile } from '../partial_files.js';
import { VERSION } from '../version.js';
import { downloadError } from './errors.js';
import type { DownloadProgress } from './types.js';
import { makeDir } from '../make_dir.js';

/** Default time without a single byte after which a transfer counts as stalled. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

export interface DownloadFileOptions {
  /** Tried in order until one gives a complete, verified file. */
  urls: string[];
  /** Final path; nothing is written there unless the whole file arrived and passed the checks. */
  destination: string;
  /** Expected MD5 (hex) of the file. */
  md5?: string;
  /**
   * The file's known size: progress is shown against it when the server sends no
   * Content-Length, and a transfer that grows past it (plus {@link sizeMargin}) is refused.
   */
  expectedSize?: number;
  /** Further check of the complete temporary file (e.g. its structure); throws to refuse it. */
  verify?: (tempPath: string) => Promise<void>;
  onProgress?: (progress: DownloadProgress) => void;
  stallTimeoutMs?: number;
}

export interface DownloadResult {
  path: string;
  url: string;
  bytes: number;
  md5: string;
}

class StallError extends Error {}

/**
 * How far past its known size a file may grow before the transfer is refused: a publisher may
 * re-export a file a little larger, but a mirror sending megabytes for a 4 KB file is wrong,
 * and reading on would fill the disk with it.
 */
export function sizeMargin(expectedSize: number): number {
  return Math.max(64 * 1024, Math.ceil(expectedSize / 10));
}

/** A source that sends more than the file: the data are wrong (65), not the network. */
class OversizeError extends UserError {}

function tooLarge(file: string, bytes: number, expectedSize: number, declared: boolean): UserError {
  const what = declared ? `the server declares ${bytes} bytes` : `the transfer passed ${bytes} bytes`;
  return new OversizeError(`${file} is larger than it should be: ${what}, the file has ${expectedSize}; refused`, EXIT.DATA);
}

function describeFetchError(err: unknown, received: number, total: number | undefined): string {
  if (err instanceof StallError) return err.message;
  if (err instanceof UserError) return err.message;
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found (no network?)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection closed by the server after ${received}${total ? ` of ${total}` : ''} bytes`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    default: {
      const message = cause?.message ?? (err instanceof Error ? err.message : String(err));
      if (received > 0) return `transfer broke off after ${received}${total ? ` of ${total}` : ''} bytes (${message})`;
      return message;
    }
  }
}

function closed(stream: WriteStream): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
}

async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
}

async function fetchOnce(url: string, tempPath: string, options: DownloadFileOptions): Promise<DownloadResult> {
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const armStallTimer = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () => controller.abort(new StallError(`transfer stalled: no data for ${(stallMs / 1000).toFixed(1)} s`)),
      stallMs,
    );
  };
  const file = basename(options.destination);
  let received = 0;
  let total: number | undefined = options.expectedSize;
  try {
    armStallTimer();
    const response = await fetch(url, {
      signal: controller.signal,
      redirect: 'follow',
      headers: { 'user-agent': `lisht/${VERSION} (+https://www.npmjs.com/package/lisht)` },
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new UserError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    }
    const declared = Number(response.headers.get('content-length'));
    const limit = options.expectedSize === undefined ? undefined : options.expectedSize + sizeMargin(options.expectedSize);
    if (limit !== undefined && declared > limit) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge(file, declared, options.expectedSize!, true);
    }
    if (Number.isFinite(declared) && declared > 0) total = declared;
    const hash = createHash('md5');
    const report = (done: boolean): void =>
      options.onProgress?.({ file, url, receivedBytes: received, totalBytes: total, done });
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        armStallTimer();
        received += chunk.length;
        if (limit !== undefined && received > limit) return callback(tooLarge(file, received, options.expectedSize!, false));
        hash.update(chunk);
        report(false);
        callback(null, chunk);
      },
    });
    const writer = createWriteStream(tempPath, { flags: 'wx' });
    try {
      await pipeline(
        Readable.fromWeb(response.body as WebReadableStream<Uint8Array>, { signal: controller.signal }),
        meter,
        writer,
      );
    } finally {
      // pipeline can settle while the file is still being opened; the caller's cleanup must
      // come after, or it removes nothing and the open creates the file behind it.
      await closed(writer);
    }
    clearTimeout(timer);
    if (declared > 0 && received !== declared) {
      throw new UserError(`incomplete transfer: ${received} of ${declared} bytes`);
    }
    const md5 = hash.digest('hex');
    if (options.md5 && md5 !== options.md5.toLowerCase()) {
      throw new UserError(`checksum mismatch for ${file}: MD5 is ${md5}, the publisher's is ${options.md5}`);
    }
    if (options.verify) await options.verify(tempPath);
    report(true);
    return { path: options.destination, url, bytes: received, md5 };
  } catch (err) {
    const reason = controller.signal.reason;
    const message = describeFetchError(reason instanceof StallError ? reason : err, received, total);
    throw err instanceof OversizeError ? err : new UserError(message);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Downloads one file: streamed to a temporary file beside the destination, checked (size, MD5,
 * `verify`), then renamed into place. On failure the temporary file, and any folder this call
 * created, are removed, so the destination folder is left as it was.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadResult> {
  if (options.urls.length === 0) throw new Error('downloadFile: no URL given');
  const dir = dirname(options.destination);
  const createdDir = await makeDir(dir);
  const failures: { url: string; message: string; oversize: boolean }[] = [];
  for (const url of options.urls) {
    const tempPath = join(dir, `.${basename(options.destination)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
    const untrack = trackPartialFile(tempPath);
    try {
      const result = await fetchOnce(url, tempPath, options);
      await rename(tempPath, options.destination);
      return result;
    } catch (err) {
      await removeQuietly(tempPath);
      failures.push({ url, message: err instanceof Error ? err.message : String(err), oversize: err instanceof OversizeError });
    } finally {
      untrack();
    }
  }
  if (createdDir) await removeCreatedDirs(createdDir, dir);
  // Every source sent something that is not the file (too large): the data are wrong, not the network.
  const exitCode = failures.every((f) => f.oversize) ? EXIT.DATA : EXIT.UNAVAILABLE;
  if (failures.length === 1) throw new UserError(downloadError(failures[0].url, failures[0].message).message, exitCode);
  const lines = failures.map((f) => `${f.url}: ${f.message}`);
  throw new UserError(`download of ${basename(options.destination)} failed from every source:\n  ${lines.join('\n  ')}`, exitCode);
}

/** Removes the folders from `leaf` up to `top` (the first one mkdir created), if they are empty. */
async function removeCreatedDirs(top: string, leaf: string): Promise<void> {
  let dir = leaf;
  for (;;) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    if (dir === top) return;
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}
