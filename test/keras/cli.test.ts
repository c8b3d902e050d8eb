/**
 * Issue 22 from the command line: `lisht convert` between .keras, .h5 and TensorFlow.js
 * folders, `lisht summary --model FILE`, and damaged files refused with exit code 65.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { writeHdf5 } from '../../src/keras/hdf5.js';
import { runCli, tempDir } from '../helpers/env.js';
import { FIXTURES } from './fixtures.js';

const tmp = tempDir('lisht-keras-cli-');
after(() => tmp.remove());

test('issue 22: lisht convert .h5 -> .keras -> TensorFlow.js folder -> .keras, and summary reads each', async () => {
  const keras = join(tmp.path, 'cnn.keras');
  const folder = join(tmp.path, 'cnn-tfjs');
  const again = join(tmp.path, 'again.keras');
  let r = await runCli(['convert', join(FIXTURES, 'cnn_lisht.h5'), keras]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\.h5 file, Keras 3\.16\.0\) -> .*cnn\.keras \(Keras 3 \.keras\)/);
  r = await runCli(['convert', keras, folder]);
  assert.equal(r.code, 0, r.stderr);
  r = await runCli(['convert', folder, again]);
  assert.equal(r.code, 0, r.stderr);
  for (const model of [join(FIXTURES, 'cnn_lisht.h5'), keras, folder, again, join(FIXTURES, 'cnn_lisht.tfjs-keras')]) {
    r = await runCli(['summary', '--model', model]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Model: "seed_cnn"/);
    assert.match(r.stdout, /Total params: 42,442/);
  }
  r = await runCli(['convert', join(FIXTURES, 'cnn_lisht.h5'), keras]);
  assert.equal(r.code, 73, 'an existing output is not replaced without --force');
  const h5 = join(tmp.path, 'out.h5');
  r = await runCli(['convert', folder, h5]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /-> .*out\.h5 \(Keras legacy \.h5\)/);
  r = await runCli(['summary', '--model', h5]);
  assert.match(r.stdout, /Total params: 42,442/);
});

/** Runs convert on `path` and returns its exit code and one-line message. */
async function refusal(path: string): Promise<{ code: number | null; message: string }> {
  const r = await runCli(['convert', path, join(tmp.path, `out-${Math.random()}.keras`)]);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  return { code: r.code, message: lines[0]! };
}

test('issue 22: damaged .keras and .h5 files are refused with a clear message and exit code 65', async () => {
  const cnn = readFileSync(join(FIXTURES, 'cnn_lisht.keras'));
  const h5 = readFileSync(join(FIXTURES, 'cnn_lisht.h5'));
  const members = unzipSync(new Uint8Array(cnn));
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(tmp.path, name);
    writeFileSync(path, bytes);
    return path;
  };
  // A Dense layer said to have 12 units while its weights hold 10.
  const wrongShape = zipSync({ ...members, 'config.json': strToU8(new TextDecoder().decode(members['config.json']).replace('"units": 10', '"units": 12')) });
  const cases: [string, string, RegExp][] = [
    ['truncated .keras', write('truncated.keras', cnn.subarray(0, cnn.length / 2)), /damaged zip archive/],
    ['not a zip', write('text.keras', strToU8('{"not": "a model"}')), /not a Keras file: neither a \.keras zip archive nor an HDF5 \.h5 file/],
    ['truncated .h5', write('truncated.h5', h5.subarray(0, h5.length / 2)), /is truncated: it has \d+ bytes, its header says \d+/],
    ['a corrupted .h5', write('corrupted.h5', Uint8Array.from(h5, (b, i) => (i >= 800 && i < 3000 ? 0xff : b))), /is a damaged HDF5 file: unable to synchronously open file \(.+\)$/],
    ['an HDF5 file without a model', write('weights-only.h5', members['model.weights.h5']!), /has no model_config: it holds weights only/],
    ['an HDF5 file without weights', write('empty.h5', await writeHdf5({ attrs: { model_config: new TextDecoder().decode(members['config.json']), keras_version: '3.16.0' } })), /holds no model weights/],
    ['a .keras without weights', write('noweights.keras', zipSync({ 'config.json': members['config.json']!, 'metadata.json': members['metadata.json']! })), /has no model\.weights\.h5/],
    ['weights of the wrong shape', write('wrongshape.keras', wrongShape), /weights of the wrong shape: layer 'dense' \(Dense\) needs \[2304, 12\] for dense\/kernel; the file's layers\/dense\/vars\/0 is \[2304, 10\]/],
  ];
  for (const [label, path, pattern] of cases) {
    const { code, message } = await refusal(path);
    assert.equal(code, 65, `${label}: ${message}`);
    assert.match(message, /^lisht: error: /, label);
    assert.match(message, pattern, label);
  }
  const missing = await refusal(join(tmp.path, 'nope.keras'));
  assert.equal(missing.code, 66);
});
