import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { Lisht, LishtGrad, type LishtGradInputs, type LishtInputs } from '../kernel_names.js';
import { lishtArray, lishtGradArray } from '../lisht_math.js';
import { sizeOf } from './shape.js';

type CpuValues = ArrayLike<number>;

function values(backend: MathBackendCPU, t: TensorInfo): CpuValues {
  return backend.data.get(t.dataId).values as CpuValues;
}

const lishtCpu: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as LishtInputs;
  const cpu = backend as MathBackendCPU;
  const out = new Float32Array(sizeOf(x.shape));
  lishtArray(values(cpu, x), out);
  return cpu.makeTensorInfo(x.shape, 'float32', out);
};

const lishtGradCpu: KernelFunc = ({ inputs, backend }) => {
  const { dy, x, y } = inputs as LishtGradInputs;
  const cpu = backend as MathBackendCPU;
  const out = new Float32Array(sizeOf(x.shape));
  lishtGradArray(values(cpu, dy), values(cpu, x), y && values(cpu, y), out);
  return cpu.makeTensorInfo(x.shape, 'float32', out);
};

/** `Lisht` on the pure-JS `cpu` backend: one pass over the input's values. */
export const lishtCpuConfig: KernelConfig = { kernelName: Lisht, backendName: 'cpu', kernelFunc: lishtCpu };

/** `LishtGrad` on the `cpu` backend: the fused backward pass. */
export const lishtGradCpuConfig: KernelConfig = {
  kernelName: LishtGrad,
  backendName: 'cpu',
  kernelFunc: lishtGradCpu,
};
