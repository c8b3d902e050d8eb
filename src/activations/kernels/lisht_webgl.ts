/**
 * `Lisht` and `LishtGrad` on the `webgl` backend: one fragment-shader pass each (forward from
 * `x`; backward from `x` and `dy`), packed (four values per texel) or not as the backend's
 * `WEBGL_PACK_UNARY_OPERATIONS` / `WEBGL_PACK_BINARY_OPERATIONS` flags say, like tfjs's own
 * unary and binary ops, so no packing pass is added around them.
 *
 * Nothing of `@tensorflow/tfjs-backend-webgl` is imported, not even its types: it is an
 * optional peer, and this module is loaded (and registers its kernels) in Node too. The
 * backend is reached through the one method of its public program API used here,
 * `runWebGLProgram`, and the programs are plain objects of the `GPGPUProgram` shape; the
 * browser tests check both against the real backend.
 *
 * Assumes float32 textures (`WEBGL_RENDER_FLOAT32_ENABLED`, true on WebGL2 devices that can
 * render to float32, SwiftShader included). On devices where tfjs falls back to float16
 * textures the shader still computes in highp float32, but every stored value, inputs and
 * outputs alike, is rounded to float16 (about 3 decimal digits, overflowing past 65504).
 */
import { env, type DataType, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { Lisht, LishtGrad, type LishtGradInputs, type LishtInputs } from '../kernel_names.js';
import { DERIVATIVE_IS_SIGN_FROM, DERIVATIVE_SERIES, floatLiteral, hornerExpression, SERIES_BELOW, VALUE_IS_ABS_FROM, VALUE_SERIES } from './lisht_gpu_math.js';

/** The part of tfjs-backend-webgl's `GPGPUProgram` these programs fill in. */
export interface LishtWebGLProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  packedInputs: boolean;
  packedOutput: boolean;
  enableShapeUniforms: boolean;
}

/** The part of `MathBackendWebGL` the kernels use. */
interface WebGLBackendLike {
  runWebGLProgram(program: LishtWebGLProgram, inputs: TensorInfo[], outputDtype: DataType): TensorInfo;
}

// tfjs's own `isnan` is the GLSL builtin on WebGL2 unless WEBGL2_ISNAN_CUSTOM is set, and
// tfjs itself notes that the builtin behaves differently across platforms (Android, Windows);
// compilers may also fold comparisons that assume no NaN. This one reads the bits where the
// language allows it (WebGL2) and relies on NaN failing every comparison only on WebGL1.
const FUNCTIONS = `
bool lishtIsNaN(float v) {
#if __VERSION__ >= 300
  return (floatBitsToUint(v) & 0x7fffffffu) > 0x7f800000u;
#else
  return !(v < 0.0 || v > 0.0 || v == 0.0);
#endif
}

// 2x, exact for |x| < 2^127 and subnormal x too: GPUs may flush subnormal operands of
// arithmetic to zero (SwiftShader does), so 2.0 * x would make the gradient at x = 1e-39 zero
// where it is 2e-39 (a normal number). Bits that are only moved are not flushed: doubling a
// subnormal's magnitude bits doubles it, adding one to a normal number's exponent doubles it.
float lishtTwice(float x) {
#if __VERSION__ >= 300
  uint b = floatBitsToUint(x);
  uint m = b & 0x7fffffffu;
  return uintBitsToFloat((b & 0x80000000u) | (m < 0x00800000u ? m << 1 : m + 0x00800000u));
#else
  return 2.0 * x;
#endif
}

float lishtValue(float x) {
  if (lishtIsNaN(x)) return x;
  float a = abs(x);
  if (a >= ${floatLiteral(VALUE_IS_ABS_FROM)}) return a;
  if (a < ${floatLiteral(SERIES_BELOW)}) {
    float s = a * a;
    return s * (${hornerExpression('s', VALUE_SERIES)});
  }
  float e = exp(-2.0 * a);
  return a * (1.0 - e) / (1.0 + e);
}

float lishtGradient(float x, float dy) {
  if (lishtIsNaN(x)) return x;
  float a = abs(x);
  float sgn = x < 0.0 ? -1.0 : 1.0;
  if (a >= ${floatLiteral(DERIVATIVE_IS_SIGN_FROM)}) return dy * sgn;
  if (a < ${floatLiteral(SERIES_BELOW)}) {
    float s = a * a;
    return dy * (lishtTwice(x) * (${hornerExpression('s', DERIVATIVE_SERIES)}));
  }
  float e = exp(-2.0 * a);
  float onePlusE = 1.0 + e;
  float t = (1.0 - e) / onePlusE;
  return dy * (sgn * (t + a * (4.0 * e / (onePlusE * onePlusE))));
}
`;

// Shape uniforms let one compiled shader serve every shape of a rank, as tfjs decides for its
// own programs (the flag is registered by the webgl backend, which is loaded when this runs).
const shapeUniforms = (rank: number): boolean => env().getBool('WEBGL_USE_SHAPES_UNIFORMS') && rank <= 4;

/** The forward program: `y = lisht(x)`, one texel (or one value) per invocation. */
export function lishtWebGLProgram(shape: number[], packed: boolean): LishtWebGLProgram {
  const main = packed
    ? `vec4 x = getXAtOutCoords();
       setOutput(vec4(lishtValue(x.r), lishtValue(x.g), lishtValue(x.b), lishtValue(x.a)));`
    : `setOutput(lishtValue(getXAtOutCoords()));`;
  return {
    variableNames: ['X'],
    outputShape: shape,
    packedInputs: packed,
    packedOutput: packed,
    enableShapeUniforms: shapeUniforms(shape.length),
    userCode: `${FUNCTIONS}\nvoid main() {\n  ${main}\n}\n`,
  };
}

/** The backward program: `dx = dy * lisht'(x)`; `x` and `dy` have the same shape. */
export function lishtGradWebGLProgram(shape: number[], packed: boolean): LishtWebGLProgram {
  const main = packed
    ? `vec4 x = getXAtOutCoords();
       vec4 dy = getDYAtOutCoords();
       setOutput(vec4(lishtGradient(x.r, dy.r), lishtGradient(x.g, dy.g), lishtGradient(x.b, dy.b), lishtGradient(x.a, dy.a)));`
    : `setOutput(lishtGradient(getXAtOutCoords(), getDYAtOutCoords()));`;
  return {
    variableNames: ['X', 'DY'],
    outputShape: shape,
    packedInputs: packed,
    packedOutput: packed,
    enableShapeUniforms: shapeUniforms(shape.length),
    userCode: `${FUNCTIONS}\nvoid main() {\n  ${main}\n}\n`,
  };
}

// int32 and bool tensors live in float textures too, so the samplers return floats for every
// numeric dtype and no Cast is needed; the output is float32 like tf.tanh's.
const lishtWebGL: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as LishtInputs;
  const program = lishtWebGLProgram(x.shape, env().getBool('WEBGL_PACK_UNARY_OPERATIONS'));
  return (backend as unknown as WebGLBackendLike).runWebGLProgram(program, [x], 'float32');
};

const lishtGradWebGL: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as LishtGradInputs;
  const program = lishtGradWebGLProgram(x.shape, env().getBool('WEBGL_PACK_BINARY_OPERATIONS'));
  return (backend as unknown as WebGLBackendLike).runWebGLProgram(program, [x, dy], 'float32');
};

/** `Lisht` on the `webgl` backend. */
export const lishtWebGLConfig: KernelConfig = { kernelName: Lisht, backendName: 'webgl', kernelFunc: lishtWebGL };

/** `LishtGrad` on the `webgl` backend: the fused backward pass. */
export const lishtGradWebGLConfig: KernelConfig = { kernelName: LishtGrad, backendName: 'webgl', kernelFunc: lishtGradWebGL };
