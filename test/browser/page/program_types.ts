/**
 * Compile-time check that the duck-typed programs of the webgl and webgpu kernels
 * are what the real packages declare (src/ may not import their types: they are optional
 * peers). `tsc` fails here if tfjs changes the shape of its program APIs.
 */
import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { lishtGradWebGLProgram, lishtWebGLProgram } from '../../../src/activations/kernels/lisht_webgl.js';
import { lishtGradWebGPUProgram, lishtWebGPUProgram } from '../../../src/activations/kernels/lisht_webgpu.js';

export const webglPrograms: GPGPUProgram[] = [lishtWebGLProgram([2, 3], true), lishtGradWebGLProgram([2, 3], false)];
export const webgpuPrograms: WebGPUProgram[] = [lishtWebGPUProgram([2, 3]), lishtGradWebGPUProgram([2, 3])];
