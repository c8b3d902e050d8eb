import type { DownloadProgress } from './types.js';

/** Where progress goes: a TTY gets a redrawn bar, anything else a line now and then. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporterOptions {
  /** Non-TTY: print a line at most this often (ms), besides every 10 %; default 10 s. */
  lineIntervalMs?: number;
  /** TTY: redraw at most this often (ms); default 100. */
  redrawIntervalMs?: number;
  now?: () => number;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function describe(p: DownloadProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? `${formatBytes((p.receivedBytes * 1000) / elapsedMs)}/s` : '';
  const size = p.totalBytes ? `${formatBytes(p.receivedBytes)} / ${formatBytes(p.totalBytes)}` : formatBytes(p.receivedBytes);
  return `${size}${rate ? `  ${rate}` : ''}`;
}

/**
 * A download progress callback that draws a bar on a TTY (`\r`-redrawn, throttled) and prints a
 * line per 10 % (or per `lineIntervalMs`) elsewhere, so that CI logs stay short.
 */
export function createProgressReporter(
  stream: ProgressStream,
  options: ProgressReporterOptions = {},
): (progress: DownloadProgress) => void {
  const now = options.now ?? Date.now;
  const lineInterval = options.lineIntervalMs ?? 10_000;
  const redrawInterval = options.redrawIntervalMs ?? 100;
  let currentFile: string | undefined;
  let started = 0;
  let lastOutput = 0;
  let lastDecile = -1;

  return (p) => {
    const t = now();
    if (p.file !== currentFile) {
      currentFile = p.file;
      started = t;
      lastOutput = 0;
      lastDecile = -1;
      if (!stream.isTTY) stream.write(`downloading ${p.url}\n`);
    }
    const fraction = p.totalBytes ? Math.min(1, p.receivedBytes / p.totalBytes) : undefined;
    if (stream.isTTY) {
      if (!p.done && t - lastOutput < redrawInterval) return;
      lastOutput = t;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 60));
      const filled = fraction === undefined ? 0 : Math.round(fraction * width);
      const bar = fraction === undefined ? '' : `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
      stream.write(`\r\x1b[K${p.file} ${bar}${describe(p, t - started)}`);
      if (p.done) stream.write('\n');
      return;
    }
    const decile = fraction === undefined ? -1 : Math.floor(fraction * 10);
    if (p.done || decile > lastDecile || t - lastOutput >= lineInterval) {
      lastDecile = Math.max(lastDecile, decile);
      lastOutput = t;
      const pct = fraction === undefined ? '' : `${(fraction * 100).toFixed(0)}% `;
      stream.write(`${p.file}: ${pct}${describe(p, t - started)}${p.done ? ' done' : ''}\n`);
    }
  };
}
