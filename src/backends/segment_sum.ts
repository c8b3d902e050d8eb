/**
 * The loop of `UnsortedSegmentSum` (the gradient of `gather`, so of embedding lookups) for the
 * backends that run it in JS: rows of `x` added into their segment's row of `out`; ids outside
 * `[0, numSegments)` are dropped, as on the cpu backend. The cpu kernel instead compares every
 * id with every segment, which takes minutes for a 20,000-word embedding.
 */
export function segmentSumInto(
  x: ArrayLike<number>,
  ids: ArrayLike<number>,
  inner: number,
  numSegments: number,
  out: Float32Array | Int32Array,
): void {
  out.fill(0);
  for (let r = 0; r < ids.length; r++) {
    const id = ids[r]!;
    if (!(id >= 0 && id < numSegments)) continue;
    const from = r * inner;
    const to = id * inner;
    for (let j = 0; j < inner; j++) out[to + j]! += x[from + j]!;
  }
}
