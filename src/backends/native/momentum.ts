/** The `MomentumUpdate` kernel (see `src/fused/optimizer_updates.ts`) on `native`. */
import { MomentumUpdate } from '../../fused/kernel_names.js';
import { nativeOnlyKernel } from './kernels/util.js';
import { float32Inputs } from './updates.js';

export const momentumUpdateConfig = nativeOnlyKernel(MomentumUpdate, ({ inputs, backend, attrs }) => {
  const { value, accumulation, gradient } = inputs;
  const a = attrs as { momentum: number; learningRate: number };
  const [w, acc, g] = float32Inputs(backend, [value!, accumulation!, gradient!], MomentumUpdate) as [Float32Array, Float32Array, Float32Array];
  const out = [backend.alloc(w.length), backend.alloc(w.length)] as const;
  // The constants as TF.js's ops see them: float32 scalars m and c = -learningRate.
  backend.addon.momentumUpdate(w, acc, g, out[0], out[1], Math.fround(a.momentum), Math.fround(-a.learningRate));
  return out.map((values) => backend.makeTensorInfo(value!.shape, 'float32', values));
});
