import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Lisht, LishtGrad, type LishtGradInputs, type LishtInputs } from '../kernel_names.js';
import { lishtArray, lishtGradArray } from '../lisht_math.js';

// The wasm backend keeps tensors in its heap; these kernels read and write that memory in
// place through typed-array views, so no data crosses between JS and wasm.

const lishtWasm: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as LishtInputs;
  const wasm = backend as BackendWasm;
  const out = wasm.makeOutput(x.shape, 'float32');
  lishtArray(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(out) as Float32Array);
  return out;
};

const lishtGradWasm: KernelFunc = ({ inputs, backend }) => {
  const { dy, x, y } = inputs as LishtGradInputs;
  const wasm = backend as BackendWasm;
  const out = wasm.makeOutput(x.shape, 'float32');
  const heap = (t: typeof x) => wasm.typedArrayFromHeap(t);
  lishtGradArray(heap(dy), heap(x), y && heap(y), heap(out) as Float32Array);
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
