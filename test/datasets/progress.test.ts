import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressReporter, type DownloadProgress } from '../../src/datasets/index.js';

function feed(isTTY: boolean, totalBytes: number | undefined, steps: number): string {
  let out = '';
  let clock = 0;
  const report = createProgressReporter({ isTTY, columns: 100, write: (s: string) => (out += s) }, { now: () => clock });
  for (let i = 0; i <= steps; i++) {
    clock += 50;
    const p: DownloadProgress = { file: 'f.bin', url: 'http://x/f.bin', receivedBytes: i * 1024 * 1024, totalBytes, done: i === steps };
    report(p);
  }
  return out;
}

describe('createProgressReporter', () => {
  it('off a TTY: one line per 10 %, no carriage returns', () => {
    const out = feed(false, 100 * 1024 * 1024, 100);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines[0], 'downloading http://x/f.bin');
    assert.equal(lines.length, 1 + 11); // 0..100 % by tens; the 100 % line says done
    assert.match(lines.at(-1)!, /^f\.bin: 100% 100\.0 MiB \/ 100\.0 MiB .* done$/);
    assert.ok(!out.includes('\r'));
  });

  it('on a TTY: a redrawn bar, throttled, ending with a newline', () => {
    const out = feed(true, 100 * 1024 * 1024, 100);
    const frames = out.split('\r').filter(Boolean);
    assert.ok(frames.length < 60, `${frames.length} redraws for 101 updates 50 ms apart`);
    assert.match(frames.at(-1)!, /f\.bin \[#{40}\] 100% 100\.0 MiB \/ 100\.0 MiB .*\n$/);
  });

  it('without a known size: byte counts and periodic lines only', () => {
    const out = feed(false, undefined, 3);
    assert.match(out, /f\.bin: 3\.0 MiB .* done\n$/);
    assert.ok(!out.includes('%'));
  });
});
