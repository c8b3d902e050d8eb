import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/reports/index.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lisht-write-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('writeFileAtomic writes, replaces, and leaves no temporary files', () =>
  withDir(async (dir) => {
    const path = join(dir, 'report.html');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, new Uint8Array([0x73, 0x65, 0x63, 0x6f, 0x6e, 0x64]));
    assert.equal(await readFile(path, 'utf8'), 'second');
    assert.deepEqual(await readdir(dir), ['report.html']);
  }));

test('concurrent writes to one path leave one complete version, never a mix', () =>
  withDir(async (dir) => {
    const path = join(dir, 'data.bin');
    const versions = Array.from({ length: 8 }, (_, i) => String.fromCharCode(97 + i).repeat(200_000));
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)));
    assert.ok(versions.includes(await readFile(path, 'utf8')));
    assert.deepEqual(await readdir(dir), ['data.bin']);
  }));

test('a failed write rejects and cleans up after itself', () =>
  withDir(async (dir) => {
    await assert.rejects(writeFileAtomic(join(dir, 'missing', 'x.txt'), 'x'), { code: 'ENOENT' });
    // Renaming a file over a directory fails after the temporary file was written.
    const target = join(dir, 'taken');
    await writeFileAtomic(join(dir, 'keep.txt'), 'keep');
    await (await import('node:fs/promises')).mkdir(target);
    await assert.rejects(writeFileAtomic(target, 'x'));
    assert.throws(() => writeFileAtomicSync(target, 'x'));
    assert.deepEqual((await readdir(dir)).sort(), ['keep.txt', 'taken']);
  }));

test('writeFileAtomicSync writes strings as UTF-8', () =>
  withDir(async (dir) => {
    const path = join(dir, 'a.txt');
    writeFileAtomicSync(path, 'LiSHT ± σ');
    assert.equal(readFileSync(path, 'utf8'), 'LiSHT ± σ');
    assert.deepEqual(await readdir(dir), ['a.txt']);
  }));
