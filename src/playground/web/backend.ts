/**
 * Starting the backend the page asked for, with every backend the browser may have bundled:
 * webgpu, webgl, wasm (SIMD; threads when the page is cross-origin isolated) and cpu. A
 * backend the browser lacks is reported and the page carries on, on the next that starts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../backends/select_browser.js';
import { restoreBuiltinWasmKernels } from '../../backends/wasm/register.js';

export interface BackendStart {
  /** The backend running now. */
  name: string;
  /** One line for the page: what runs, with SIMD/threads details. */
  description: string;
  /** Why the requested backend did not start, if it did not. */
  failure?: string;
}

const FALLBACK = ['wasm', 'cpu'];

async function describe(name: string, kernels: boolean): Promise<string> {
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const threads = getThreadsCount();
    return `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threaded ? 'threaded build, ' : ''}${threads > 1 ? `${threads} threads` : '1 thread'}${crossOriginIsolated ? '' : ', not cross-origin isolated'}; ${kernels ? "lisht's training kernels" : 'stock kernels only'})`;
  }
  if (name === 'webgl') {
    const gl = webglContext();
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'WebGL';
    return `webgl (${renderer}${/swiftshader/i.test(renderer) ? ': a CPU rasteriser' : ''})`;
  }
  return name;
}

/**
 * Starts `requested`; on failure says why and starts the first of wasm, cpu that works.
 * `threads`: 0 keeps wasm on its single-threaded build, n > 0 asks for n threads, -1 leaves
 * the count to TensorFlow.js; `kernels`
 * chooses between this project's wasm training kernels and the stock ones.
 */
export async function startBackend(requested: string, options: { threads: number; kernels: boolean }): Promise<BackendStart> {
  setWasmPaths(new URL('./wasm/', location.href).href);
  if (options.threads === 0) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else if (options.threads > 0) setThreadsCount(options.threads);
  // Registered kernels outlive a backend switch: undo them where the page asks for stock wasm.
  if (!options.kernels) restoreBuiltinWasmKernels();
  const select = (name: string) => selectBackend(name, { trainingKernels: options.kernels });
  let failure: string | undefined;
  try {
    if (requested === 'webgpu' && !('gpu' in navigator && navigator.gpu)) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
    const name = await select(requested);
    return { name, description: await describe(name, options.kernels) };
  } catch (err) {
    failure = `backend '${requested}' is not available here: ${(err as Error).message}`;
  }
  for (const name of FALLBACK) {
    try {
      await select(name);
      return { name, description: await describe(name, options.kernels), failure };
    } catch {
      // try the next
    }
  }
  throw new Error(`${failure}; and neither wasm nor cpu started`);
}

/**
 * What to tell the user when wasm runs another number of threads than asked (`requested`:
 * 0 off, -1 TensorFlow.js's choice, n exactly n), or nothing when it runs what was asked.
 */
export function describeThreads(requested: number, actual: number, isolated: boolean): string | undefined {
  // "auto" gets what TensorFlow.js chooses; the description line says how many that is.
  if (requested <= 0 || actual === requested) return undefined;
  if (!isolated) return `wasm runs 1 thread: threads need a cross-origin isolated page (the COOP/COEP headers lisht playground sends; this host does not send them).`;
  if (requested > 0) return `wasm runs ${actual} thread${actual === 1 ? '' : 's'}, not the ${requested} asked for (?threads=${requested}): TensorFlow.js's pool holds half the cores, at most 4 (${navigator.hardwareConcurrency} cores here).`;
  return undefined;
}

/** The WebGL context of the webgl backend, when it is the one running. */
export function webglContext(): WebGL2RenderingContext | null {
  if (tf.getBackend() !== 'webgl') return null;
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } };
  return backend.gpgpu?.gl ?? null;
}
