/**
 * Float32 data movement: Tile, Slice and PadV2 as copies of contiguous runs (`set`,
 * `copyWithin`: memcpy underneath). The cpu kernels move one element at a time through index
 * arithmetic, which made a ResNet's shortcuts and BatchNorm gradients (a Tile of the
 * per-channel statistics back to the activation's shape) cost seconds per step.
 */
import { slice_util } from '@tensorflow/tfjs-core';
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

export const sliceConfig = nativeKernel('Slice', ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const xv = backend.f32(x);
  if (!xv || x.shape.length === 0) return null;
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin as number[], attrs.size as number[]);
  slice_util.assertParamsValid(x as never, begin, size);
  const out = backend.alloc(sizeOf(size));
  if (out.length === 0) return backend.makeTensorInfo(size, 'float32', out);
  const shape = x.shape;
  const strides = stridesOf(shape);
  // The trailing axes the slice takes whole join the innermost run.
  let axis = shape.length - 1;
  while (axis > 0 && begin[axis] === 0 && size[axis] === shape[axis]) axis--;
  const run = size[axis]! * strides[axis]!;
  const first = begin[axis]! * strides[axis]!;
  let at = 0;
  forOuter(size, axis, begin, strides, (offset) => {
    out.set(xv.subarray(offset + first, offset + first + run), at);
    at += run;
  });
  return backend.makeTensorInfo(size, 'float32', out);
});

export const padConfig = nativeKernel('PadV2', ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const xv = backend.f32(x);
  if (!xv || xv.length === 0) return null;
  const paddings = attrs.paddings as Array<[number, number]>;
  const shape = x.shape;
  const outShape = shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
  const out = backend.alloc(sizeOf(outShape));
  out.fill(attrs.constantValue as number);
  const outStrides = stridesOf(outShape);
  // Trailing axes without padding are contiguous in both: one run per index of the others.
  let axis = shape.length - 1;
  while (axis > 0 && paddings[axis]![0] === 0 && paddings[axis]![1] === 0) axis--;
  const run = shape[axis]! * outStrides[axis]!;
  const lead = paddings[axis]![0] * outStrides[axis]!;
  const begin = paddings.map((p) => p[0]);
  let from = 0;
  forOuter(shape, axis, begin, outStrides, (offset) => {
    out.set(xv.subarray(from, from + run), offset + lead);
    from += run;
  });
  return backend.makeTensorInfo(outShape, 'float32', out);
});

export const layoutConfigs = [tileConfig, sliceConfig, padConfig];
