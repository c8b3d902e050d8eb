import { util, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address } from '../../backends/wasm/heap.js';
import { simdFor } from '../../backends/wasm/simd/instance.js';
import { Lisht, LishtGrad, type LishtGradInputs, type LishtInputs } from '../kernel_names.js';
import { lishtArray, lishtGradArray } from '../lisht_math.js';

// The wasm backend keeps tensors in its heap; these kernels read and write that memory in
// place, so no data crosses between JS and wasm. Float32 data goes through the SIMD loops four
// lanes at a time (simd/kernels.ts); the last n % 4 elements, other dtypes and engines without
// SIMD take the JS loops.

/** How many leading elements the SIMD loops handled (a multiple of 4; 0 without them). */
function simdGroups(backend: BackendWasm, n: number, float32: boolean): { simd: ReturnType<typeof simdFor>; done: number } {
  const simd = float32 ? simdFor(backend) : null;
  return { simd, done: simd === null ? 0 : n - (n % 4) };
}

const lishtWasm: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as LishtInputs;
  const wasm = backend as BackendWasm;
  const out = wasm.makeOutput(x.shape, 'float32');
  const n = util.sizeFromShape(x.shape);
  const { simd, done } = simdGroups(wasm, n, x.dtype === 'float32');
  if (simd !== null && done > 0) simd.lisht(address(wasm, x), address(wasm, out), done / 4);
  if (done < n) lishtArray(wasm.typedArrayFromHeap(x).subarray(done), (wasm.typedArrayFromHeap(out) as Float32Array).subarray(done));
  return out;
};

const lishtGradWasm: KernelFunc = ({ inputs, backend }) => {
  const { dy, x, y } = inputs as LishtGradInputs;
  const wasm = backend as BackendWasm;
  const out = wasm.makeOutput(x.shape, 'float32');
  const n = util.sizeFromShape(x.shape);
  const { simd, done } = simdGroups(wasm, n, x.dtype === 'float32' && dy.dtype === 'float32');
  if (simd !== null && done > 0) simd.lishtGrad(address(wasm, dy), address(wasm, x), address(wasm, out), done / 4);
  if (done < n) {
    const tail = (t: typeof x) => wasm.typedArrayFromHeap(t).subarray(done);
    lishtGradArray(tail(dy), tail(x), y && tail(y), (wasm.typedArrayFromHeap(out) as Float32Array).subarray(done));
  }
  return out;
};

/** `Lisht` on the `wasm` backend. */
export const lishtWasmConfig: KernelConfig = { kernelName: Lisht, backendName: 'wasm', kernelFunc: lishtWasm };

/** `LishtGrad` on the `wasm` backend. */
export const lishtGradWasmConfig: KernelConfig = {
  kernelName: LishtGrad,
  backendName: 'wasm',
  kernelFunc: lishtGradWasm,
};
