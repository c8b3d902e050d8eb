/** The `AdamUpdate` kernel (see `src/fused/optimizer_updates.ts`) on `native`. */
import { AdamUpdate } from '../../fused/kernel_names.js';
import { nativeOnlyKernel } from './kernels/util.js';
import { float32Inputs } from './updates.js';

const f32 = Math.fround;

export const adamUpdateConfig = nativeOnlyKernel(AdamUpdate, ({ inputs, backend, attrs }) => {
  const { value, m, v, gradient } = inputs;
  const a = attrs as { learningRate: number; beta1: number; beta2: number; epsilon: number; accBeta1: number; accBeta2: number };
  const arrays = float32Inputs(backend, [value!, m!, v!, gradient!], AdamUpdate);
  const n = arrays[0]!.length;
  const out = [backend.alloc(n), backend.alloc(n), backend.alloc(n)] as const;
  // The constants as TF.js's ops see them: float32 scalars, 1 - beta computed in float64 first.
  backend.addon.adamUpdate(
    arrays[0]!, arrays[1]!, arrays[2]!, arrays[3]!, out[0], out[1], out[2],
    f32(a.beta1), f32(1 - a.beta1), f32(a.beta2), f32(1 - a.beta2), f32(-a.learningRate), f32(a.epsilon),
    f32(1 - f32(a.accBeta1)), f32(1 - f32(a.accBeta2)),
  );
  return out.map((values) => backend.makeTensorInfo(value!.shape, 'float32', values));
});
