/**
 * Float32 data movement: Tile, Slice, SplitV, Transpose, PadV2, Concat, GatherV2 and UnsortedSegmentSum as copies
 * (or sums) of contiguous runs (`set`, `copyWithin`: memcpy underneath). The cpu kernels move one element at a time through index
 * arithmetic, which made a ResNet's shortcuts and BatchNorm gradients (a Tile of the
 * per-channel statistics back to the activation's shape) cost seconds per step.
 */
import { backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import { segmentSumInto } from '../../segment_sum.js';
import { nativeKernel, sizeOf } from './util.js';

/** Row-major strides of `shape`. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/**
 * Calls `visit(offset)` for every index of `shape[0..axis)`, with `offset` the sum of
 * (begin + index) x stride over those axes: the odometer over the outer axes of a run copy.
 */
function forOuter(shape: readonly number[], axis: number, begin: readonly number[], strides: readonly number[], visit: (offset: number) => void): void {
  const index = new Array<number>(axis).fill(0);
  let offset = 0;
  for (let a = 0; a < axis; a++) offset += begin[a]! * strides[a]!;
  const count = sizeOf(shape.slice(0, axis));
  for (let n = 0; n < count; n++) {
    visit(offset);
    for (let a = axis - 1; a >= 0; a--) {
      offset += strides[a]!;
      if (++index[a]! < shape[a]!) break;
      offset -= shape[a]! * strides[a]!;
      index[a] = 0;
    }
  }
}

/**
 * Writes `x` (shape `inShape`) repeated `reps[i]` times along each axis into `out`. Each
 * axis's block is written once (recursively), then doubled in place: log2(reps) copies.
 */
export function tileInto(x: Float32Array, inShape: readonly number[], reps: readonly number[], out: Float32Array): void {
  const rank = inShape.length;
  if (rank === 0) {
    if (out.length > 0) out[0] = x[0]!;
    return;
  }
  const inStrides = stridesOf(inShape);
  const outStrides = stridesOf(inShape.map((d, i) => d * reps[i]!));
  const fill = (a: number, src: number, dst: number): void => {
    if (a === rank - 1) out.set(x.subarray(src, src + inShape[a]!), dst);
    else for (let i = 0; i < inShape[a]!; i++) fill(a + 1, src + i * inStrides[a]!, dst + i * outStrides[a]!);
    const block = inShape[a]! * outStrides[a]!;
    const total = block * reps[a]!;
    for (let done = block; done < total; done *= 2) out.copyWithin(dst + done, dst, dst + Math.min(done, total - done));
  };
  if (out.length > 0) fill(0, 0, 0);
}

export const tileConfig = nativeKernel('Tile', ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const xv = backend.f32(x);
  if (!xv || xv.length === 0) return null;
  const reps = attrs.reps as number[];
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const out = backend.alloc(sizeOf(outShape));
  tileInto(xv, x.shape, reps, out);
  return backend.makeTensorInfo(outShape, 'float32', out);
});

/** Writes the block of `x` (shape `shape`) at `begin` of extent `size` into `out`, row-major. */
function sliceInto(x: Float32Array, shape: readonly number[], begin: readonly number[], size: readonly number[], out: Float32Array): void {
  if (out.length === 0) return;
  const strides = stridesOf(shape);
  // The trailing axes the slice takes whole join the innermost run.
  let axis = shape.length - 1;
  while (axis > 0 && begin[axis] === 0 && size[axis] === shape[axis]) axis--;
  const run = size[axis]! * strides[axis]!;
  const first = begin[axis]! * strides[axis]!;
  let at = 0;
  forOuter(size, axis, begin, strides, (offset) => {
    out.set(x.subarray(offset + first, offset + first + run), at);
    at += run;
  });
}

export const sliceConfig = nativeKernel('Slice', ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const xv = backend.f32(x);
  if (!xv || x.shape.length === 0) return null;
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin as number[], attrs.size as number[]);
  slice_util.assertParamsValid(x as never, begin, size);
  const out = backend.alloc(sizeOf(size));
  sliceInto(xv, x.shape, begin, size, out);
  return backend.makeTensorInfo(size, 'float32', out);
});

/** Split along one axis: one slice per piece (an LSTM splits its gates this way every step). */
export const splitConfig = nativeKernel('SplitV', ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const xv = backend.f32(x);
  if (!xv || x.shape.length === 0) return null;
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits as number | number[], axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((n) => {
    const size = [...x.shape];
    size[axis] = n;
    const out = backend.alloc(sizeOf(size));
    sliceInto(xv, x.shape, begin, size, out);
    begin[axis]! += n;
    return backend.makeTensorInfo(size, 'float32', out);
  });
});

/** Any permutation: the trailing axes it keeps in place are copied as runs. */
export const transposeConfig = nativeKernel('Transpose', ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const xv = backend.f32(x);
  if (!xv) return null;
  const perm = attrs.perm as number[];
  const shape = x.shape;
  const outShape = perm.map((p) => shape[p]!);
  const out = backend.alloc(xv.length);
  let keep = perm.length;
  while (keep > 0 && perm[keep - 1] === keep - 1) keep--;
  if (keep === 0 || xv.length === 0) {
    out.set(xv);
  } else {
    const inStrides = stridesOf(shape);
    const run = sizeOf(shape.slice(keep));
    const strides = perm.slice(0, keep).map((p) => inStrides[p]!);
    let at = 0;
    forOuter(outShape, keep, new Array<number>(keep).fill(0), strides, (offset) => {
      if (run === 1) out[at++] = xv[offset]!;
      else {
        out.set(xv.subarray(offset, offset + run), at);
        at += run;
      }
    });
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
});

/** `gather` along one axis (embedding lookups) as row copies; out-of-range ids go to cpu's error. */
export const gatherConfig = nativeKernel('GatherV2', ({ inputs, backend, attrs }) => {
  const { x, indices } = inputs;
  const xv = backend.f32(x);
  if (!xv || indices.dtype !== 'int32' || ((attrs.batchDims as number | undefined) ?? 0) !== 0) return null;
  const ids = backend.data.get(indices.dataId).values as Int32Array;
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
  const n = x.shape[axis]!;
  if (ids.some((id) => !(id >= 0 && id < n))) return null;
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out = backend.alloc(sizeOf(outShape));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < ids.length; k++) {
      const from = (o * n + ids[k]!) * inner;
      out.set(xv.subarray(from, from + inner), at);
      at += inner;
    }
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
});

/** The gradient of `gather` (embedding lookups): rows added into their segment's row. */
export const unsortedSegmentSumConfig = nativeKernel('UnsortedSegmentSum', ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs;
  const xv = backend.f32(x);
  if (!xv || segmentIds.dtype !== 'int32') return null;
  const ids = backend.data.get(segmentIds.dataId).values as Int32Array;
  const numSegments = attrs.numSegments as number;
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const out = backend.alloc(numSegments * sizeOf(innerShape));
  segmentSumInto(xv, ids, sizeOf(innerShape), numSegments, out);
  return backend.makeTensorInfo([numSegments, ...innerShape], 'float32', out);
});

/** Writes `x` (shape `shape`) into the block of `out` (shape `outShape`) at `begin`: sliceInto's inverse. */
function placeInto(x: Float32Array, shape: readonly number[], out: Float32Array, outShape: readonly number[], begin: readonly number[]): void {
  if (x.length === 0) return;
  const outStrides = stridesOf(outShape);
  // Trailing axes that fill the output's whole extent are contiguous in both: one run per index of the others.
  let axis = shape.length - 1;
  while (axis > 0 && begin[axis] === 0 && shape[axis] === outShape[axis]) axis--;
  const run = shape[axis]! * outStrides[axis]!;
  const first = begin[axis]! * outStrides[axis]!;
  let from = 0;
  forOuter(shape, axis, begin, outStrides, (offset) => {
    out.set(x.subarray(from, from + run), offset + first);
    from += run;
  });
}

export const padConfig = nativeKernel('PadV2', ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const xv = backend.f32(x);
  if (!xv || xv.length === 0 || x.shape.length === 0) return null;
  const paddings = attrs.paddings as Array<[number, number]>;
  const outShape = x.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
  const out = backend.alloc(sizeOf(outShape));
  out.fill(attrs.constantValue as number);
  placeInto(xv, x.shape, out, outShape, paddings.map((p) => p[0]));
  return backend.makeTensorInfo(outShape, 'float32', out);
});

/** Joining along one axis: each input placed at its offset (an LSTM joins its gates' gradients this way every step). */
export const concatConfig = nativeKernel('Concat', ({ inputs, backend, attrs }) => {
  const xs = Object.values(inputs);
  const values = xs.map((t) => backend.f32(t));
  if (xs.length === 0 || xs[0]!.shape.length === 0 || values.some((v) => !v)) return null;
  const shapes = xs.map((t) => t.shape);
  const axis = util.parseAxisParam(attrs.axis as number, shapes[0]!)[0]!;
  backend_util.assertParamsConsistent(shapes, axis);
  const outShape = backend_util.computeOutShape(shapes, axis);
  const out = backend.alloc(sizeOf(outShape));
  const begin = new Array<number>(outShape.length).fill(0);
  xs.forEach((x, i) => {
    placeInto(values[i]!, x.shape, out, outShape, begin);
    begin[axis]! += x.shape[axis]!;
  });
  return backend.makeTensorInfo(outShape, 'float32', out);
});

export const layoutConfigs = [tileConfig, sliceConfig, splitConfig, transposeConfig, padConfig, concatConfig, gatherConfig, unsortedSegmentSumConfig];
