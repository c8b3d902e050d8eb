import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, labelCounts, permutation, splitRows, stratifiedSplit, takeRows } from '../../src/datasets/index.js';
import { UserError } from '../../src/errors.js';

describe('createRng', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const seqA = Array.from({ length: 5 }, () => a());
    assert.deepEqual(Array.from({ length: 5 }, () => b()), seqA);
    assert.notDeepEqual(Array.from({ length: 5 }, () => c()), seqA);
    assert.ok(seqA.every((x) => x >= 0 && x < 1));
  });

  it('gives permutations holding every index once', () => {
    const p = permutation(1000, createRng('p'));
    assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
    assert.notDeepEqual([...p.subarray(0, 20)], Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('stratifiedSplit', () => {
  // 3 classes of 50, 30 and 20 rows, interleaved.
  const labels = Uint8Array.from({ length: 100 }, (_, i) => (i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2));

  it('puts round(n x fraction) of each class in test, every row exactly once', () => {
    const { train, test } = stratifiedSplit(labels, { testFraction: 0.2, seed: 1 });
    assert.deepEqual(labelCounts(Uint8Array.from(test, (i) => labels[i]), 3), [10, 6, 4]);
    assert.deepEqual(labelCounts(Uint8Array.from(train, (i) => labels[i]), 3), [40, 24, 16]);
    assert.deepEqual([...train, ...test].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = stratifiedSplit(labels, { seed: 3 });
    assert.deepEqual(stratifiedSplit(labels, { seed: 3 }), a);
    assert.notDeepEqual(stratifiedSplit(labels, { seed: 4 }).test, a.test);
  });

  it('refuses fractions outside (0, 1) and splits that leave a side empty', () => {
    assert.throws(() => stratifiedSplit(labels, { testFraction: 1 }), UserError);
    assert.throws(() => stratifiedSplit(labels, { testFraction: 0 }), UserError);
    assert.throws(() => stratifiedSplit(Uint8Array.of(0, 1), { testFraction: 0.2 }), /empty test split/);
  });
});

describe('takeRows / splitRows', () => {
  it('copies whole rows of every per-row array and keeps labels aligned', () => {
    const split = {
      images: Uint8Array.from({ length: 4 * 6 }, (_, i) => i),
      labels: Uint8Array.of(0, 1, 0, 1),
      coarseLabels: Uint8Array.of(9, 8, 7, 6),
      count: 4,
    };
    const picked = takeRows(split, Int32Array.of(3, 1));
    assert.equal(picked.count, 2);
    assert.deepEqual([...picked.images], [18, 19, 20, 21, 22, 23, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual([...picked.labels], [1, 1]);
    assert.deepEqual([...picked.coarseLabels!], [6, 8]);
    assert.ok(picked.images instanceof Uint8Array);
  });

  it('splits features row by row', () => {
    const features = Float32Array.from({ length: 10 * 2 }, (_, i) => i);
    const labels = Uint8Array.from({ length: 10 }, (_, i) => i % 2);
    const { train, test } = splitRows({ features, labels, count: 10 }, { testFraction: 0.4, seed: 5 });
    assert.equal(train.count + test.count, 10);
    for (const s of [train, test]) {
      for (let r = 0; r < s.count; r++) {
        const original = s.features[r * 2] / 2;
        assert.equal(s.features[r * 2 + 1], original * 2 + 1);
        assert.equal(s.labels[r], original % 2);
      }
    }
  });
});
