/**
 * `Lisht` and `LishtGrad` on the `webgpu` backend: one compute-shader pass each (forward from
 * `x`; backward from `x` and `dy`), one element per invocation like tfjs's own unary ops.
 *
 * Nothing of `@tensorflow/tfjs-backend-webgpu` is imported, not even its types: it is an
 * optional peer, and this module is loaded (and registers its kernels) in Node too. The
 * backend is reached through its public program API, `runWebGPUProgram`, with programs that
 * are plain objects of the `WebGPUProgram` shape; the browser tests check both against the
 * real backend.
 */
import { type DataType, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { Lisht, LishtGrad, type LishtGradInputs, type LishtInputs } from '../kernel_names.js';
import { DERIVATIVE_IS_SIGN_FROM, DERIVATIVE_SERIES, floatLiteral, hornerExpression, SERIES_BELOW, VALUE_IS_ABS_FROM, VALUE_SERIES } from './lisht_gpu_math.js';

/** The part of tfjs-backend-webgpu's `WebGPUProgram` these programs fill in. */
export interface LishtWebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  /** Asks the backend for a `uniforms.size` (the element count) to bound the last workgroup. */
  size: true;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  getUserCode(): string;
}

/** The part of `WebGPUBackend` the kernels use. */
interface WebGPUBackendLike {
  runWebGPUProgram(program: LishtWebGPUProgram, inputs: TensorInfo[], outputDtype: DataType): TensorInfo;
}

const WORKGROUP_SIZE = 128;

// WGSL lets an implementation assume that no value is NaN or infinite, so comparisons such as
// `a >= 10.0` or `v != v` may be folded away; the bit patterns cannot be. The getters convert
// int32 and bool inputs to f32, so every numeric dtype gives a float32 output like tf.tanh.
const FUNCTIONS = `
fn lishtIsNaN(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn lishtIsInf(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) == 0x7f800000u;
}

// 2x, exact for |x| < 2^127 and subnormal x too: GPUs may flush subnormal operands of
// arithmetic to zero (SwiftShader does), so 2.0 * x would make the gradient at x = 1e-39 zero
// where it is 2e-39 (a normal number). Bits that are only moved are not flushed: doubling a
// subnormal's magnitude bits doubles it, adding one to a normal number's exponent doubles it.
fn lishtTwice(x : f32) -> f32 {
  let b = bitcast<u32>(x);
  let m = b & 0x7fffffffu;
  return bitcast<f32>((b & 0x80000000u) | select(m + 0x00800000u, m << 1u, m < 0x00800000u));
}

fn lishtValue(x : f32) -> f32 {
  if (lishtIsNaN(x)) { return x; }
  let a = abs(x);
  if (lishtIsInf(x) || a >= ${floatLiteral(VALUE_IS_ABS_FROM)}) { return a; }
  if (a < ${floatLiteral(SERIES_BELOW)}) {
    let s = a * a;
    return s * (${hornerExpression('s', VALUE_SERIES)});
  }
  let e = exp(-2.0 * a);
  return a * (1.0 - e) / (1.0 + e);
}

fn lishtGradient(x : f32, dy : f32) -> f32 {
  if (lishtIsNaN(x)) { return x; }
  let a = abs(x);
  let sgn = select(1.0, -1.0, (bitcast<u32>(x) & 0x80000000u) != 0u);
  if (lishtIsInf(x) || a >= ${floatLiteral(DERIVATIVE_IS_SIGN_FROM)}) { return dy * sgn; }
  if (a < ${floatLiteral(SERIES_BELOW)}) {
    let s = a * a;
    return dy * (lishtTwice(x) * (${hornerExpression('s', DERIVATIVE_SERIES)}));
  }
  let e = exp(-2.0 * a);
  let onePlusE = 1.0 + e;
  let t = (1.0 - e) / onePlusE;
  return dy * (sgn * (t + a * (4.0 * e / (onePlusE * onePlusE))));
}
`;

function program(shape: number[], variableNames: string[], shaderKey: string, body: string): LishtWebGPUProgram {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    variableNames,
    outputShape: shape,
    shaderKey,
    size: true,
    // One flat index over all dimensions; the backend reshapes a dispatch that exceeds the
    // device's per-dimension limit.
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP_SIZE), 1, 1],
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    getUserCode: () => `${FUNCTIONS}
fn main(index : i32) {
  if (index < uniforms.size) {
    ${body}
  }
}
`,
  };
}

/** The forward program: `y = lisht(x)`. */
export function lishtWebGPUProgram(shape: number[]): LishtWebGPUProgram {
  return program(shape, ['X'], 'lisht', 'setOutputAtIndex(index, lishtValue(getXByOutputIndex(index)));');
}

/** The backward program: `dx = dy * lisht'(x)`; `x` and `dy` have the same shape. */
export function lishtGradWebGPUProgram(shape: number[]): LishtWebGPUProgram {
  return program(shape, ['X', 'DY'], 'lishtGrad', 'setOutputAtIndex(index, lishtGradient(getXByOutputIndex(index), getDYByOutputIndex(index)));');
}

const lishtWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as LishtInputs;
  return (backend as unknown as WebGPUBackendLike).runWebGPUProgram(lishtWebGPUProgram(x.shape), [x], 'float32');
};

const lishtGradWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as LishtGradInputs;
  return (backend as unknown as WebGPUBackendLike).runWebGPUProgram(lishtGradWebGPUProgram(x.shape), [x, dy], 'float32');
};

/** `Lisht` on the `webgpu` backend. */
export const lishtWebGPUConfig: KernelConfig = { kernelName: Lisht, backendName: 'webgpu', kernelFunc: lishtWebGPU };

/** `LishtGrad` on the `webgpu` backend: the fused backward pass. */
export const lishtGradWebGPUConfig: KernelConfig = { kernelName: LishtGrad, backendName: 'webgpu', kernelFunc: lishtGradWebGPU };
