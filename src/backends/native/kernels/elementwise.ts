/**
 * Float32 element-wise kernels: binary arithmetic (equal shapes, a scalar, an operand that
 * repeats along the leading axes such as a bias, or one value per row, directly; any other
 * broadcast after expanding the operands), unary maths, softmax, and LiSHT fused forward and
 * backward. Other dtypes go to the cpu kernels.
 */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { Lisht, LishtGrad } from '../../../activations/kernel_names.js';
import type { NativeBackend } from '../backend.js';
import { tileInto } from './layout.js';
import { nativeKernel, sizeOf } from './util.js';

const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, SquaredDifference: 4 } as const;
const UNARY_OPS = { Relu: 0, Step: 1, Square: 2, Sqrt: 3, Neg: 4, Abs: 5, Reciprocal: 6, Tanh: 7, Sigmoid: 8 } as const;

/**
 * Whether `small` holds one value per block of trailing axes of `out`: equal to `out` on the
 * leading axes and 1 on at least the last (e.g. [100, 1] against [100, 10]).
 */
function onePerRow(small: number[], out: number[]): boolean {
  const s = [...Array(out.length - small.length).fill(1), ...small];
  let k = s.length;
  while (k > 0 && s[k - 1] === 1) k--;
  return k < s.length && s.slice(0, k).every((d, i) => d === out[i]);
}

/** Whether `small` (leading 1s dropped) equals the trailing axes of `out`. */
function repeatsAlongLeadingAxes(small: number[], out: number[]): boolean {
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  const tail = small.slice(s);
  if (tail.length > out.length) return false;
  const offset = out.length - tail.length;
  return tail.every((d, i) => d === out[offset + i]);
}

function binary(backend: NativeBackend, op: number, a: TensorInfo, b: TensorInfo): TensorInfo | null {
  const av = backend.f32(a);
  const bv = backend.f32(b);
  if (!av || !bv) return null;
  const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = sizeOf(outShape);
  if (n === 0) return null;
  const aFull = av.length === n;
  const bFull = bv.length === n;
  const tiled = (aFull && bFull) || (aFull && repeatsAlongLeadingAxes(b.shape, outShape)) || (bFull && repeatsAlongLeadingAxes(a.shape, outShape));
  const perRow = !tiled && ((aFull && onePerRow(b.shape, outShape)) || (bFull && onePerRow(a.shape, outShape)));
  const out = backend.alloc(n);
  if (tiled || perRow) {
    backend.addon.binary(op, av, bv, out, perRow);
  } else {
    // Any other broadcast ([N, 1, 1, C] against [N, H, W, C]): the operands expanded first.
    const [ae, be] = [expand(backend, av, a.shape, outShape), expand(backend, bv, b.shape, outShape)];
    backend.addon.binary(op, ae, be, out, false);
    for (const t of [ae, be]) if (t !== av && t !== bv) backend.release(t);
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
}

/** `values` of `shape` broadcast to `outShape` (itself when already that size). */
function expand(backend: NativeBackend, values: Float32Array, shape: number[], outShape: number[]): Float32Array {
  const n = sizeOf(outShape);
  if (values.length === n) return values;
  const full = [...Array(outShape.length - shape.length).fill(1), ...shape] as number[];
  const out = backend.alloc(n);
  tileInto(values, full, outShape.map((d, i) => d / full[i]!), out);
  return out;
}

function unary(backend: NativeBackend, op: number, x: TensorInfo, alpha = 0): TensorInfo | null {
  const xv = backend.f32(x);
  if (!xv || xv.length === 0) return null;
  const y = backend.alloc(xv.length);
  backend.addon.unary(op, xv, y, alpha);
  return backend.makeTensorInfo(x.shape, 'float32', y);
}

/** Float32 values of any numeric tensor (LiSHT of int32/bool inputs is float32). */
function asF32(backend: NativeBackend, t: TensorInfo): Float32Array {
  return backend.f32(t) ?? Float32Array.from(backend.data.get(t.dataId).values as ArrayLike<number>);
}

export const binaryConfigs = Object.entries(BINARY_OPS).map(([name, op]) =>
  nativeKernel(name, ({ inputs, backend }) => binary(backend, op, inputs.a, inputs.b)),
);

export const unaryConfigs = Object.entries(UNARY_OPS).map(([name, op]) =>
  nativeKernel(name, ({ inputs, backend, attrs }) => unary(backend, op, inputs.x, name === 'Step' ? ((attrs.alpha as number | undefined) ?? 0) : 0)),
);

export const lishtConfig = nativeKernel(Lisht, ({ inputs, backend }) => {
  const { x } = inputs;
  if (x.dtype === 'string' || x.dtype === 'complex64') return null;
  const xv = asF32(backend, x);
  const y = backend.alloc(xv.length);
  backend.addon.lisht(xv, y);
  return backend.makeTensorInfo(x.shape, 'float32', y);
});

/** Recomputes tanh from x rather than reading the optional forward output `y`: one sweep either way. */
export const lishtGradConfig = nativeKernel(LishtGrad, ({ inputs, backend }) => {
  const { dy, x } = inputs;
  if (x.dtype === 'string' || x.dtype === 'complex64' || sizeOf(dy.shape) !== sizeOf(x.shape)) return null;
  const dx = backend.alloc(sizeOf(x.shape));
  backend.addon.lishtGrad(asF32(backend, dy), asF32(backend, x), dx);
  return backend.makeTensorInfo(x.shape, 'float32', dx);
});

/** Softmax over the last axis (the only one the cpu kernel supports either). */
export const softmaxConfig = nativeKernel('Softmax', ({ inputs, backend, attrs }) => {
  const { logits } = inputs;
  const xv = backend.f32(logits);
  const rank = logits.shape.length;
  const dim = attrs.dim as number;
  if (!xv || xv.length === 0 || (dim !== -1 && dim !== rank - 1)) return null;
  const y = backend.alloc(xv.length);
  backend.addon.softmax(xv, y, logits.shape[rank - 1]!);
  return backend.makeTensorInfo(logits.shape, 'float32', y);
});

export const elementwiseConfigs = [...binaryConfigs, ...unaryConfigs, lishtConfig, lishtGradConfig, softmaxConfig];
