import {
  Add,
  Cast,
  ClipByValue,
  getKernel,
  Multiply,
  OnesLike,
  Square,
  Sub,
  Tanh,
  type DataType,
  type KernelBackend,
  type KernelConfig,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { Lisht, LishtGrad, type LishtGradInputs, type LishtInputs } from '../kernel_names.js';

/**
 * `Lisht` and `LishtGrad` for backends this package has no kernel of its own for
 * (`tensorflow`, i.e. tfjs-node, and any other backend a user registers them for), composed
 * from that backend's own kernels the way tfjs backends compose modular kernels: no engine
 * round trip, intermediates disposed at once. Composed `Tanh` loses tiny arguments (the
 * gradient at 1e-20 comes out 1e-20, not 2e-20) where the backend's tanh does.
 */

// Beyond |x| = 20, x * (1 - tanh^2 x) < 1e-15 in float32 terms, so clamping x there changes
// nothing finite but turns Infinity * 0 (NaN) at x = ±Infinity into 20 * 0 = 0.
const CLAMP = 20;

class Composer {
  private readonly temps: TensorInfo[] = [];

  constructor(
    private readonly backendName: string,
    private readonly backend: KernelBackend,
  ) {}

  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(kernelName, this.backendName);
    if (kernel === undefined) {
      throw new Error(`lisht: backend '${this.backendName}' has no '${kernelName}' kernel to compose Lisht from`);
    }
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  asFloat(x: TensorInfo): TensorInfo {
    return x.dtype === 'float32' ? x : this.run(Cast, { x }, { dtype: 'float32' as DataType });
  }

  /** Disposes every intermediate except `result`, and returns it. */
  finish(result: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    return result;
  }
}

function lishtConfig(backendName: string): KernelConfig {
  return {
    kernelName: Lisht,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const c = new Composer(backendName, backend as KernelBackend);
      const x = c.asFloat((inputs as LishtInputs).x);
      return c.finish(c.run(Multiply, { a: x, b: c.run(Tanh, { x }) }));
    },
  };
}

function lishtGradConfig(backendName: string): KernelConfig {
  return {
    kernelName: LishtGrad,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const { dy } = inputs as LishtGradInputs;
      const c = new Composer(backendName, backend as KernelBackend);
      const x = c.asFloat((inputs as LishtGradInputs).x);
      const t = c.run(Tanh, { x });
      const sech2 = c.run(Sub, { a: c.run(OnesLike, { x }), b: c.run(Square, { x: t }) });
      const xc = c.run(ClipByValue, { x }, { clipValueMin: -CLAMP, clipValueMax: CLAMP });
      const derivative = c.run(Add, { a: t, b: c.run(Multiply, { a: xc, b: sech2 }) });
      return c.finish(c.run(Multiply, { a: c.asFloat(dy), b: derivative }));
    },
  };
}

/** Kernel configs of `Lisht` and `LishtGrad` composed from `backendName`'s own kernels. */
export function compositeLishtConfigs(backendName: string): KernelConfig[] {
  return [lishtConfig(backendName), lishtGradConfig(backendName)];
}
