/** The `ImageBatch` kernel (see `src/fused/kernel_names.ts`) on `native`. */
import { ImageBatch } from '../../../fused/kernel_names.js';
import { nativeOnlyKernel, sizeOf } from './util.js';

export const imageBatchConfig = nativeOnlyKernel(ImageBatch, ({ backend, attrs }) => {
  const { rows, index, scale, shape } = attrs as unknown as { rows: Uint8Array; index: Int32Array; scale: number; shape: number[] };
  const out = backend.alloc(sizeOf(shape));
  backend.addon.imageBatch(rows, sizeOf(shape) / index.length, index, scale, out);
  return backend.makeTensorInfo(shape, 'float32', out);
});
